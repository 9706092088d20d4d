package dev.datawal.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.autoconfigure.actuate.endpoint.DatawalEndpointAutoConfiguration;
import dev.datawal.autoconfigure.health.DatawalHealthContributorAutoConfiguration;
import dev.datawal.autoconfigure.json.DatawalJacksonAutoConfiguration;
import dev.datawal.autoconfigure.metrics.DatawalMetricsAutoConfiguration;
import dev.datawal.autoconfigure.transaction.DatawalTransactionAutoConfiguration;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/**
 * The auto-configurations Boot finds in {@code META-INF/spring/...AutoConfiguration.imports} follow
 * Boot's own conventions: public {@code @AutoConfiguration} classes in {@code
 * dev.datawal.autoconfigure} and the packages below it, whose {@code @Bean} methods (nested
 * configurations' too) are package-private.
 */
class AutoConfigurationImportsTests {
  private static List<Class<?>> imported() {
    ClassLoader loader = AutoConfigurationImportsTests.class.getClassLoader();
    return ImportCandidates.load(AutoConfiguration.class, loader).getCandidates().stream()
        .filter(name -> name.startsWith("dev.datawal."))
        .<Class<?>>map(name -> ClassUtils.resolveClassName(name, loader))
        .toList();
  }

  @Test
  void bootFindsEveryAutoConfiguration() {
    assertThat(imported())
        .containsExactlyInAnyOrder(
            DatawalAutoConfiguration.class,
            DatawalStoreAutoConfiguration.class,
            DatawalJacksonAutoConfiguration.class,
            DatawalEndpointAutoConfiguration.class,
            DatawalHealthContributorAutoConfiguration.class,
            DatawalMetricsAutoConfiguration.class,
            DatawalTransactionAutoConfiguration.class);
  }

  @Test
  void eachIsAPublicAutoConfigurationInTheAutoconfigurePackages() {
    assertThat(imported())
        .allSatisfy(
            type -> {
              assertThat(type).hasAnnotation(AutoConfiguration.class).isPublic();
              assertThat(type.getPackageName() + ".").startsWith("dev.datawal.autoconfigure.");
            });
  }

  @Test
  void noBeanMethodIsPublic() {
    List<String> publicBeanMethods =
        imported().stream()
            .flatMap(AutoConfigurationImportsTests::withNested)
            .flatMap(type -> Arrays.stream(type.getDeclaredMethods()))
            .filter(method -> method.isAnnotationPresent(Bean.class))
            .filter(method -> Modifier.isPublic(method.getModifiers()))
            .map(Method::toString)
            .toList();
    assertThat(publicBeanMethods).isEmpty();
  }

  private static Stream<Class<?>> withNested(Class<?> type) {
    return Stream.concat(
        Stream.of(type),
        Arrays.stream(type.getDeclaredClasses())
            .flatMap(AutoConfigurationImportsTests::withNested));
  }
}
