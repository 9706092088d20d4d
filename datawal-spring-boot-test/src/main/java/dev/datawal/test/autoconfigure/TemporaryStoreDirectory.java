package dev.datawal.test.autoconfigure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.util.FileSystemUtils;

/**
 * One test application context's temporary directory: a new {@code datawal-test-*} directory in
 * {@code java.io.tmpdir} with an empty {@code store} subdirectory for {@code datawal.dir}, deleted
 * with everything in it when the context destroys this, its last bean.
 *
 * <p>Thread-safe.
 */
final class TemporaryStoreDirectory implements DisposableBean {
  private static final Log logger = LogFactory.getLog(TemporaryStoreDirectory.class);

  static final String PREFIX = "datawal-test-";

  /** The store's subdirectory: the rest of the directory is for the application's own. */
  static final String STORE = "store";

  private final Path root;

  private TemporaryStoreDirectory(Path root) {
    this.root = root;
  }

  /**
   * Creates a new, empty directory.
   *
   * @throws UncheckedIOException if it cannot be created
   */
  static TemporaryStoreDirectory create() {
    Path root = null;
    try {
      root = Files.createTempDirectory(PREFIX);
      Files.createDirectory(root.resolve(STORE));
      return new TemporaryStoreDirectory(root);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "datawal: @AutoConfigureDatawal could not create a temporary store directory"
              + (root == null ? " in " + System.getProperty("java.io.tmpdir") : " " + root)
              + ": "
              + e,
          e);
    }
  }

  /** {@return the whole temporary directory ({@code datawal.test.dir})} */
  Path root() {
    return root;
  }

  /** {@return the store directory in it ({@code datawal.dir})} */
  Path store() {
    return root.resolve(STORE);
  }

  /**
   * Deletes the directory and everything in it. A failure is logged, not thrown: it must not hide
   * the outcome of the tests, and the directory is in {@code java.io.tmpdir}.
   */
  @Override
  public void destroy() {
    try {
      FileSystemUtils.deleteRecursively(root);
      logger.debug("datawal: deleted the temporary store directory " + root);
    } catch (IOException e) {
      logger.warn("datawal: could not delete the temporary store directory " + root, e);
    }
  }

  @Override
  public String toString() {
    return "TemporaryStoreDirectory[" + root + "]";
  }
}
