package dev.datawal.test.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;

/**
 * Gives every application context of the annotated test class its own fresh, empty, temporary
 * datawal store, so that tests never write to the application's {@code datawal.dir}, never see data
 * of an earlier run, and never fail on the store's lock when Spring's test context cache keeps
 * several differently configured contexts open at once.
 *
 * <p>When a context is built, a new directory {@code datawal-test-*} is created in {@code
 * java.io.tmpdir} and exposed as {@code datawal.test.dir}; {@code datawal.dir} is set to its {@code
 * store} subdirectory. Both properties take precedence over {@code application.properties},
 * profiles and the test's own properties ({@code @SpringBootTest(properties = ...)},
 * {@code @TestPropertySource}). After the context has closed its beans (the store first, so every
 * file is closed), the whole directory is deleted. Contexts that the cache shares share the
 * directory; each cached context has its own. Directories of the application's own (say an {@code
 * app.events-dir}) can live in the same temporary directory through a placeholder, {@code
 * app.events-dir=${datawal.test.dir}/events}, and are deleted with it.
 *
 * <p>The temporary directory is switched off with {@code temporaryDirectory = false}, or with the
 * property {@code datawal.test.temporary-directory=false} (in {@code application.properties} or a
 * test's properties); the context then uses the configured {@code datawal.dir}.
 *
 * <p>Also imports the store's auto-configuration (the store, its {@code DatawalStore} view and its
 * Jackson facades), for tests that do not enable auto-configuration as a whole. Works on the test
 * class, an enclosing class of a {@code @Nested} class, a superclass or a meta-annotation.
 *
 * @see DatawalTest
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ImportAutoConfiguration
public @interface AutoConfigureDatawal {
  /**
   * Whether each application context gets a fresh temporary store directory, deleted when the
   * context closes; {@code false} keeps the configured {@code datawal.dir}.
   *
   * @return whether to use a temporary store directory
   */
  boolean temporaryDirectory() default true;
}
