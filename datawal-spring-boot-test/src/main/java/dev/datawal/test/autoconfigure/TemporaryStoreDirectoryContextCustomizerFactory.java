package dev.datawal.test.autoconfigure;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

/**
 * Gives the contexts of tests with {@link AutoConfigureDatawal} (on the class, a superclass, an
 * enclosing class of a {@code @Nested} class, or in a meta-annotation such as {@link DatawalTest})
 * a temporary store directory, unless its {@code temporaryDirectory} is false. Registered in {@code
 * META-INF/spring.factories}.
 */
final class TemporaryStoreDirectoryContextCustomizerFactory implements ContextCustomizerFactory {
  @Override
  public @Nullable ContextCustomizer createContextCustomizer(
      Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
    AutoConfigureDatawal annotation =
        TestContextAnnotationUtils.findMergedAnnotation(testClass, AutoConfigureDatawal.class);
    return annotation != null && annotation.temporaryDirectory()
        ? new TemporaryStoreDirectoryContextCustomizer()
        : null;
  }
}
