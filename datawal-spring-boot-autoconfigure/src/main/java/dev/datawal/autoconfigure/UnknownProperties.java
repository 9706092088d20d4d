package dev.datawal.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepositoryJsonBuilder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Warns about {@code datawal.*} properties that no module on the classpath declares: Spring Boot
 * ignores a property nothing binds, so a typo such as {@code datawal.fsync-polcy=always} would
 * otherwise leave the default in place without a word.
 *
 * <p>The declared names are read from every {@code META-INF/spring-configuration-metadata.json}
 * (and {@code additional-spring-configuration-metadata.json}) on the classpath (Boot's
 * configuration processor writes it into each module's jar), so properties of optional modules such
 * as {@code datawal.kafka.*} count only when that module is there. Names are compared in Boot's
 * canonical form, so relaxed spellings ({@code DATAWAL_FSYNC_POLICY}, {@code datawal.fsync.Policy})
 * are recognised.
 */
final class UnknownProperties {
  private static final Log logger = LogFactory.getLog(UnknownProperties.class);

  static final String METADATA = "META-INF/spring-configuration-metadata.json";
  static final String ADDITIONAL_METADATA =
      "META-INF/additional-spring-configuration-metadata.json";

  private static final ConfigurationPropertyName PREFIX = ConfigurationPropertyName.of("datawal");

  private UnknownProperties() {}

  /**
   * Logs one warning per unknown {@code datawal.*} property set in {@code environment}, naming the
   * closest declared property when one is near.
   *
   * @return the unknown names, sorted (for tests)
   */
  static List<String> warnAbout(Environment environment, @Nullable ClassLoader classLoader) {
    Collection<SetName> setNames = setNames(environment);
    if (setNames.isEmpty()) {
      return List.of(); // nothing to check: the metadata is not even read
    }
    Declared declared = Declared.read(classLoader);
    if (declared.isEmpty()) {
      logger.debug("datawal: no configuration metadata on the classpath; not checking properties");
      return List.of();
    }
    List<String> unknown = new ArrayList<>();
    for (SetName set : setNames) {
      ConfigurationPropertyName name = set.name();
      if (declared.covers(name)) {
        continue;
      }
      String closest = declared.closestTo(name);
      if (set.fromEnvironmentVariable() && closest == null) {
        // DATAWAL_* variables also serve other tools (the CLI launcher's DATAWAL_CLI_JAR, the
        // harnesses' DATAWAL_REPLAY_DIR): only one that looks like a misspelt property is news.
        logger.debug("datawal: environment variable for " + name + " is no datawal property");
        continue;
      }
      logger.warn(
          "datawal: ignoring unknown property '"
              + name
              + "'"
              + (set.fromEnvironmentVariable() ? " (from an environment variable)" : "")
              + ": no module on the classpath declares it"
              + (closest == null ? "" : " (did you mean '" + closest + "'?)")
              + "; every datawal.* property is listed in docs/configuration.md");
      unknown.add(name.toString());
    }
    return unknown;
  }

  /** A {@code datawal.*} name set in the environment, and whether an OS variable set it. */
  private record SetName(ConfigurationPropertyName name, boolean fromEnvironmentVariable) {}

  private static Collection<SetName> setNames(Environment environment) {
    Map<String, SetName> names = new TreeMap<>();
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
      if (source instanceof IterableConfigurationPropertySource iterable) {
        boolean variables =
            iterable.getUnderlyingSource() instanceof SystemEnvironmentPropertySource;
        iterable.filter(PREFIX::isAncestorOf).stream()
            .forEach(
                name -> {
                  SetName set = new SetName(name, variables);
                  // a name set in a properties file as well is judged as one
                  names.merge(name.toString(), set, (a, b) -> a.fromEnvironmentVariable() ? b : a);
                });
      }
    }
    return names.values();
  }

  /** The declared property names, and those whose values are maps or lists (with children). */
  private record Declared(
      Set<ConfigurationPropertyName> leaves, Set<ConfigurationPropertyName> containers) {
    static Declared read(@Nullable ClassLoader classLoader) {
      Set<ConfigurationPropertyName> leaves = new LinkedHashSet<>();
      Set<ConfigurationPropertyName> containers = new LinkedHashSet<>();
      for (ConfigurationMetadataProperty property : properties(classLoader)) {
        String name = property.getId();
        if (name == null || !ConfigurationPropertyName.isValid(name)) {
          continue;
        }
        ConfigurationPropertyName parsed = ConfigurationPropertyName.of(name);
        if (!PREFIX.isAncestorOf(parsed)) {
          continue;
        }
        leaves.add(parsed);
        String type = property.getType();
        if (type != null && isContainer(type)) {
          containers.add(parsed);
        }
      }
      return new Declared(leaves, containers);
    }

    boolean isEmpty() {
      return leaves.isEmpty();
    }

    boolean covers(ConfigurationPropertyName name) {
      if (leaves.contains(name)) {
        return true;
      }
      for (ConfigurationPropertyName container : containers) {
        if (container.isAncestorOf(name)) {
          return true;
        }
      }
      return false;
    }

    /** The declared name nearest {@code name} in edits, if near enough to be a typo. */
    @Nullable String closestTo(ConfigurationPropertyName name) {
      String wanted = name.toString();
      String best = null;
      int bestDistance = Math.max(2, wanted.length() / 5) + 1;
      for (ConfigurationPropertyName leaf : leaves) {
        int distance = editDistance(wanted, leaf.toString());
        if (distance < bestDistance) {
          best = leaf.toString();
          bestDistance = distance;
        }
      }
      return best;
    }

    private static boolean isContainer(String type) {
      return type.startsWith("java.util.Map")
          || type.startsWith("java.util.List")
          || type.startsWith("java.util.Set")
          || type.startsWith("java.util.Collection")
          || type.endsWith("[]");
    }
  }

  /**
   * Every property in the metadata files on the classpath, read with Boot's own metadata reader
   * (its JSON is nested deeper than Boot's basic JSON parser handles). A file that cannot be read
   * is skipped: the check must never stop an application.
   */
  private static List<ConfigurationMetadataProperty> properties(@Nullable ClassLoader classLoader) {
    ClassLoader loader =
        classLoader != null ? classLoader : UnknownProperties.class.getClassLoader();
    List<ConfigurationMetadataProperty> properties = new ArrayList<>();
    for (String resource : List.of(METADATA, ADDITIONAL_METADATA)) {
      List<URL> urls;
      try {
        urls = Collections.list(loader.getResources(resource));
      } catch (IOException e) {
        logger.debug("datawal: cannot list " + resource + ": " + e);
        continue;
      }
      for (URL url : urls) {
        try (InputStream in = url.openStream()) {
          properties.addAll(
              ConfigurationMetadataRepositoryJsonBuilder.create(in)
                  .build()
                  .getAllProperties()
                  .values());
        } catch (IOException | RuntimeException e) {
          logger.debug("datawal: cannot read configuration metadata " + url + ": " + e);
        }
      }
    }
    return properties;
  }

  /** Levenshtein distance. */
  static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
