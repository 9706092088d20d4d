package dev.datawal.test.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.autoconfigure.OverrideAutoConfiguration;
import org.springframework.boot.test.autoconfigure.json.AutoConfigureJson;
import org.springframework.boot.test.context.filter.annotation.TypeExcludeFilters;
import org.springframework.context.annotation.ComponentScan.Filter;
import org.springframework.core.annotation.AliasFor;
import org.springframework.test.context.BootstrapWith;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * A test of the datawal side of an application (its store, what it writes and reads), in the style
 * of Spring Boot's {@code @JsonTest} and {@code @DataJpaTest}: the application context holds only
 * datawal's auto-configuration (the store, {@code DataWal} or with {@code datawal.store=log} a
 * {@code RecordLog}; its {@code DatawalStore} view and maintenance; the typed {@code
 * JsonKeyValueStore} or {@code JsonEventLog}) and Jackson's, in a fresh temporary store directory
 * per context ({@link AutoConfigureDatawal}). No web layer, no Actuator, nothing else
 * auto-configured.
 *
 * <p>Of the application's components, component scanning includes only {@code RetentionFloor}s and
 * Jackson components and modules (which shape the typed facades' JSON); add others with {@link
 * #includeFilters()}, or a {@code @TestConfiguration} or {@code @Import}.
 *
 * <p>Auto-configuration beyond this slice is added with {@code @ImportAutoConfiguration}; for the
 * whole application use {@code @SpringBootTest} with {@link AutoConfigureDatawal} instead.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@BootstrapWith(DatawalTestContextBootstrapper.class)
@ExtendWith(SpringExtension.class)
@OverrideAutoConfiguration(enabled = false)
@TypeExcludeFilters(DatawalTypeExcludeFilter.class)
@AutoConfigureDatawal
@AutoConfigureJson
@ImportAutoConfiguration
public @interface DatawalTest {
  /**
   * Properties in {@code key=value} form added to the environment before the test runs, e.g. {@code
   * "datawal.store=log"}.
   *
   * @return the properties to add
   */
  String[] properties() default {};

  /**
   * Whether each application context gets a fresh temporary store directory (see {@link
   * AutoConfigureDatawal#temporaryDirectory()}).
   *
   * @return whether to use a temporary store directory
   */
  @AliasFor(annotation = AutoConfigureDatawal.class, attribute = "temporaryDirectory")
  boolean temporaryDirectory() default true;

  /**
   * Whether component scanning includes the types datawal tests need by default ({@code
   * RetentionFloor}s, Jackson components and modules); {@code false} includes only what {@link
   * #includeFilters()} names.
   *
   * @return whether to use the default includes
   */
  boolean useDefaultFilters() default true;

  /**
   * More of the application's components to include in the context.
   *
   * @return the filters that include components
   */
  Filter[] includeFilters() default {};

  /**
   * Components to leave out of the context that would otherwise be included.
   *
   * @return the filters that exclude components
   */
  Filter[] excludeFilters() default {};

  /**
   * Auto-configuration classes to leave out of this slice.
   *
   * @return the auto-configuration classes to exclude
   */
  @AliasFor(annotation = ImportAutoConfiguration.class, attribute = "exclude")
  Class<?>[] excludeAutoConfiguration() default {};
}
