package com.example.greetings;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.test.autoconfigure.AutoConfigureDatawal;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

@SpringBootTest
@AutoConfigureDatawal
class GreetingsTests {
  @Autowired Greetings greetings;

  @Test
  void remembersAGreeting() {
    greetings.remember("ada", "hello");
    assertThat(greetings.greetingFor("ada")).contains("hello");
  }
}
