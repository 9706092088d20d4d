package dev.datawal.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.aot.hint.predicate.RuntimeHintsPredicates.reflection;

import dev.datawal.CompactionStats;
import dev.datawal.RetentionStats;
import dev.datawal.autoconfigure.actuate.endpoint.DatawalEndpointAutoConfiguration;
import dev.datawal.autoconfigure.health.DatawalHealthContributorAutoConfiguration;
import dev.datawal.autoconfigure.json.DatawalJacksonAutoConfiguration;
import dev.datawal.autoconfigure.metrics.DatawalMetricsAutoConfiguration;
import dev.datawal.spring.actuate.endpoint.DatawalEndpoint;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.javapoet.ClassName;

/**
 * The starter under Spring's AOT processing, as the {@code process-aot} goal of Spring Boot's build
 * plugins runs it for an application: the store is not opened at build time, and the hints of the
 * native image cover what datawal reflects on at run time, whether this starter registers them
 * ({@link DatawalRuntimeHints}) or Spring and Boot do (checked here all the same, since the image
 * breaks without them).
 */
class DatawalAotProcessingTests {
  @TempDir Path tmp;

  /** Processes a context with every datawal auto-configuration, as for an application. */
  private RuntimeHints processAheadOfTime(String... properties) {
    try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
      TestPropertyValues.of("datawal.dir=" + tmp.resolve("store")).and(properties).applyTo(context);
      context.register(
          DatawalAutoConfiguration.class,
          DatawalStoreAutoConfiguration.class,
          DatawalJacksonAutoConfiguration.class,
          DatawalEndpointAutoConfiguration.class,
          DatawalHealthContributorAutoConfiguration.class,
          DatawalMetricsAutoConfiguration.class);
      DefaultGenerationContext generation =
          new DefaultGenerationContext(
              new ClassNameGenerator(ClassName.get("com.example", "App")),
              new InMemoryGeneratedFiles());
      new ApplicationContextAotGenerator().processAheadOfTime(context, generation);
      generation.writeGeneratedContent();
      return generation.getRuntimeHints();
    }
  }

  @Test
  void buildTimeProcessingNeitherOpensNorCreatesTheStore() {
    processAheadOfTime();
    assertThat(tmp.resolve("store")).doesNotExist();
  }

  @Test
  void theEnginesReflectionIsInTheApplicationsHints() throws Exception {
    RuntimeHints hints = processAheadOfTime();
    Class<?> unsafe = Class.forName("sun.misc.Unsafe");
    assertThat(reflection().onMethodInvocation(unsafe.getMethod("invokeCleaner", ByteBuffer.class)))
        .accepts(hints);
    assertThat(reflection().onFieldAccess(unsafe, "theUnsafe")).accepts(hints);
  }

  @Test
  void theEndpointsAnswersAreRegisteredForJsonBinding() {
    RuntimeHints hints = processAheadOfTime("management.endpoints.web.exposure.include=datawal");
    for (Class<?> answer :
        new Class<?>[] {
          DatawalEndpoint.StoreDescriptor.class,
          DatawalEndpoint.FsyncDescriptor.class,
          DatawalEndpoint.SegmentDescriptor.class,
          DatawalEndpoint.GarbageDescriptor.class,
          DatawalEndpoint.CompactionDescriptor.class,
          DatawalEndpoint.RetentionDescriptor.class,
          DatawalEndpoint.RecoveryDescriptor.class,
          DatawalEndpoint.DamageDescriptor.class,
          DatawalEndpoint.IntegrityDescriptor.class,
          DatawalEndpoint.ProblemDescriptor.class,
          DatawalEndpoint.ProgressDescriptor.class,
          DatawalEndpoint.VerificationDescriptor.class,
          DatawalEndpoint.ActionDescriptor.class,
          CompactionStats.class,
          RetentionStats.class
        }) {
      assertThat(reflection().onType(answer)).as(answer.getName()).accepts(hints);
      for (var component : answer.getRecordComponents()) {
        assertThat(reflection().onMethodInvocation(component.getAccessor()))
            .as(answer.getSimpleName() + "." + component.getName())
            .accepts(hints);
      }
    }
  }

  @Test
  void datawalPropertiesAreRegisteredForBinding() {
    RuntimeHints hints = processAheadOfTime();
    assertThat(reflection().onMethodInvocation(DatawalProperties.class, "setDir")).accepts(hints);
    assertThat(reflection().onMethodInvocation(DatawalProperties.Fsync.class, "setPolicy"))
        .accepts(hints);
    assertThat(reflection().onMethodInvocation(DatawalProperties.Retention.class, "setMaxAge"))
        .accepts(hints);
  }

  @Test
  void theFailureAnalyzersCanBeCreatedFromSpringFactories() throws Exception {
    RuntimeHints hints = processAheadOfTime();
    // Package-private classes, named as META-INF/spring.factories names them.
    for (String analyzer :
        new String[] {
          "dev.datawal.spring.diagnostics.StoreLockedFailureAnalyzer",
          "dev.datawal.spring.diagnostics.CorruptStoreFailureAnalyzer",
          "dev.datawal.spring.diagnostics.StoreOpenFailureAnalyzer"
        }) {
      assertThat(
              reflection()
                  .onConstructorInvocation(Class.forName(analyzer).getDeclaredConstructor()))
          .as(analyzer)
          .accepts(hints);
    }
  }
}
