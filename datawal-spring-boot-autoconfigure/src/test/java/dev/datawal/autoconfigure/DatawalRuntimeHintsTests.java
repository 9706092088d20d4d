package dev.datawal.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.aot.hint.predicate.RuntimeHintsPredicates.reflection;
import static org.springframework.aot.hint.predicate.RuntimeHintsPredicates.resource;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.beans.factory.aot.AotServices;

/**
 * The engine's reflection is registered for a native image ({@link DatawalRuntimeHints}), and
 * Spring's AOT processing finds the registrar in {@code META-INF/spring/aot.factories}. The names
 * the hints give are looked up here, so a renamed class, field or method fails this test instead of
 * leaving a hint that matches nothing.
 */
class DatawalRuntimeHintsTests {
  private final RuntimeHints hints = new RuntimeHints();

  DatawalRuntimeHintsTests() {
    new DatawalRuntimeHints().registerHints(hints, getClass().getClassLoader());
  }

  @Test
  void theEngineCanUnmapThroughUnsafeInANativeImage() throws Exception {
    Class<?> unsafe = Class.forName(DatawalRuntimeHints.UNSAFE.getName());
    assertThat(reflection().onMethodInvocation(unsafe.getMethod("invokeCleaner", ByteBuffer.class)))
        .accepts(hints);
    assertThat(reflection().onFieldAccess(unsafe, "theUnsafe")).accepts(hints);
  }

  @Test
  void theFieldOfTheMappedReadGatesVarHandleIsKept() throws Exception {
    Class<?> gate = Class.forName(DatawalRuntimeHints.READER_GATE.getName());
    assertThat(reflection().onFieldAccess(gate, "state")).accepts(hints);
  }

  @Test
  void theConfigurationMetadataTheUnknownPropertyCheckReadsIsInTheImage() {
    assertThat(resource().forResource("META-INF/spring-configuration-metadata.json"))
        .accepts(hints);
    assertThat(resource().forResource("META-INF/additional-spring-configuration-metadata.json"))
        .accepts(hints);
  }

  @Test
  void springsAotProcessingLoadsTheRegistrarFromAotFactories() {
    assertThat(AotServices.factories(getClass().getClassLoader()).load(RuntimeHintsRegistrar.class))
        .hasAtLeastOneElementOfType(DatawalRuntimeHints.class);
  }
}
