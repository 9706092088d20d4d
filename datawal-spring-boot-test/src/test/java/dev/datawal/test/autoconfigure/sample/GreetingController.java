package dev.datawal.test.autoconfigure.sample;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The application's web layer, which a {@code @DatawalTest} leaves out. */
@RestController
public class GreetingController {
  private final GreetingService service;

  public GreetingController(GreetingService service) {
    this.service = service;
  }

  @GetMapping("/greeting")
  public String greeting() {
    return service.greeting();
  }
}
