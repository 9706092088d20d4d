package dev.datawal.test.autoconfigure;

import java.util.Map;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Points a test application context's store at a {@link TemporaryStoreDirectory} of its own, and
 * has the context delete it after every bean is destroyed.
 *
 * <p>Design: the customizer runs once per context that is built, so contexts that the test context
 * cache shares share a directory, and each differently configured one gets its own. All instances
 * are equal, so this customizer never splits the cache. The directory is registered as the
 * context's first disposable bean, and a bean factory destroys its singletons in reverse order of
 * registration: the directory goes after every bean, the store included, has closed its files.
 */
final class TemporaryStoreDirectoryContextCustomizer implements ContextCustomizer {
  private static final Log logger =
      LogFactory.getLog(TemporaryStoreDirectoryContextCustomizer.class);

  /** Set to false to keep the configured {@code datawal.dir}. */
  static final String ENABLED_PROPERTY = "datawal.test.temporary-directory";

  /** The whole temporary directory, for the application's own directories beside the store. */
  static final String DIRECTORY_PROPERTY = "datawal.test.dir";

  static final String STORE_DIRECTORY_PROPERTY = "datawal.dir";

  static final String PROPERTY_SOURCE_NAME = "datawalTemporaryStoreDirectory";

  static final String BEAN_NAME = "datawalTemporaryStoreDirectory";

  @Override
  public void customizeContext(
      ConfigurableApplicationContext context, MergedContextConfiguration mergedConfig) {
    ConfigurableEnvironment environment = context.getEnvironment();
    if (!environment.getProperty(ENABLED_PROPERTY, Boolean.class, true)) {
      logger.debug(
          "datawal: "
              + ENABLED_PROPERTY
              + "=false, so the test context for "
              + mergedConfig.getTestClass().getName()
              + " keeps the configured datawal.dir");
      return;
    }
    TemporaryStoreDirectory directory = TemporaryStoreDirectory.create();
    environment
        .getPropertySources()
        .addFirst(
            new MapPropertySource(
                PROPERTY_SOURCE_NAME,
                Map.of(
                    DIRECTORY_PROPERTY, directory.root().toString(),
                    STORE_DIRECTORY_PROPERTY, directory.store().toString())));
    context.addBeanFactoryPostProcessor(new DeleteAfterEveryOtherBean(directory));
    logger.info(
        "datawal: the test context for "
            + mergedConfig.getTestClass().getName()
            + " stores in the temporary directory "
            + directory.store()
            + " (datawal.dir), deleted when the context closes");
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other != null && other.getClass() == getClass();
  }

  @Override
  public int hashCode() {
    return getClass().hashCode();
  }

  /**
   * Registers the directory for deletion as the context's first disposable bean. A registry post
   * processor added to the context runs before any other, so before any bean exists.
   */
  private static final class DeleteAfterEveryOtherBean
      implements BeanDefinitionRegistryPostProcessor {
    private final TemporaryStoreDirectory directory;

    DeleteAfterEveryOtherBean(TemporaryStoreDirectory directory) {
      this.directory = directory;
    }

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
      if (!(registry instanceof DefaultSingletonBeanRegistry singletons)) {
        directory.destroy();
        throw new IllegalStateException(
            "datawal: @AutoConfigureDatawal needs a context whose bean factory can destroy"
                + " beans in order (a DefaultListableBeanFactory), not a "
                + registry.getClass().getName());
      }
      singletons.registerDisposableBean(BEAN_NAME, directory);
    }
  }
}
