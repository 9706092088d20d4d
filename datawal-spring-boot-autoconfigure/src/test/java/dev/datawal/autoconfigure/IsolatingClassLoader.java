package dev.datawal.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.List;

/**
 * A class loader that defines datawal's own classes ({@code dev.datawal.*}) afresh, child first,
 * and hides the packages it is given; every other class comes from the test's class loader.
 *
 * <p>Unlike Boot's {@code FilteredClassLoader}, whose classes are still defined and linked by the
 * application class loader (so a class that needs a hidden one links anyway), a datawal class
 * loaded here that needs a hidden class fails with {@link NoClassDefFoundError}, as it would in an
 * application without that library.
 */
final class IsolatingClassLoader extends ClassLoader {
  private static final String OWN = "dev.datawal.";

  private final List<String> hidden;

  /**
   * @param hiddenPackages package names (prefixes) whose classes and class files are not found
   */
  IsolatingClassLoader(String... hiddenPackages) {
    super(IsolatingClassLoader.class.getClassLoader());
    this.hidden = List.of(hiddenPackages);
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (isHidden(name)) {
      throw new ClassNotFoundException(name);
    }
    if (!name.startsWith(OWN)) {
      return super.loadClass(name, resolve);
    }
    synchronized (getClassLoadingLock(name)) {
      Class<?> type = findLoadedClass(name);
      if (type == null) {
        byte[] bytes = classFile(name);
        type = defineClass(name, bytes, 0, bytes.length);
      }
      if (resolve) {
        resolveClass(type);
      }
      return type;
    }
  }

  @Override
  public URL getResource(String name) {
    return isHidden(name.replace('/', '.')) ? null : super.getResource(name);
  }

  private boolean isHidden(String name) {
    return hidden.stream().anyMatch(name::startsWith);
  }

  private byte[] classFile(String name) throws ClassNotFoundException {
    try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
      if (in == null) {
        throw new ClassNotFoundException(name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
