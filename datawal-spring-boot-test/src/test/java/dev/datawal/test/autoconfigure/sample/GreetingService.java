package dev.datawal.test.autoconfigure.sample;

import org.springframework.stereotype.Service;

/** A service of the application, which a {@code @DatawalTest} includes only when asked to. */
@Service
public class GreetingService {
  public String greeting() {
    return "hello";
  }
}
