package com.example.greetings;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.datawal.DataWal;
import java.util.Optional;
import org.springframework.stereotype.Service;

@Service
public class Greetings {
  private final DataWal store;

  public Greetings(DataWal store) {
    this.store = store;
  }

  public void remember(String name, String greeting) {
    store.put(name.getBytes(UTF_8), greeting.getBytes(UTF_8)); // durable when this returns
  }

  public Optional<String> greetingFor(String name) {
    return store.get(name.getBytes(UTF_8)).map(value -> new String(value, UTF_8));
  }
}
