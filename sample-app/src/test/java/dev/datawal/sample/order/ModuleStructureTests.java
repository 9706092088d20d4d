package dev.datawal.sample.order;

import dev.datawal.sample.SampleApplication;
import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

/** The sample's application modules depend on each other only through their public API. */
class ModuleStructureTests {
  @Test
  void modulesRespectTheirBoundaries() {
    ApplicationModules.of(SampleApplication.class).verify();
  }
}
