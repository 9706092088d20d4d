package dev.datawal.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

/**
 * The one layering rule of every datawal module, checked on compiled classes (so a fully qualified
 * name in code counts as much as an import): each class may use only the packages its rule allows.
 *
 * <p>A rule is a list of {@link Layer}s, bottom first. A class in a layer may use its own layer,
 * the layers below it, and what the layer names as allowed, but never what it names as forbidden;
 * anything else it uses is a violation. Classes in no layer are not checked. Dependencies come from
 * the JDK's {@code jdeps}, which reads the class files: constants the compiler inlined are
 * invisible to it.
 *
 * <p>Shared through the engine's test jar, so that the engine, the Spring modules, the CLI and the
 * Kafka relay state their rules the same way.
 */
public final class LayerRule {
  private static final Map<Path, List<Edge>> EDGES = new ConcurrentHashMap<>();
  private static final Pattern EDGE = Pattern.compile("^\\s+(\\S+)\\s+->\\s+(\\S+)\\s");

  private final List<Layer> layers;
  private final List<String> everywhere;

  private LayerRule(List<Layer> layers, List<String> everywhere) {
    this.layers = layers;
    this.everywhere = everywhere;
  }

  /**
   * One layer.
   *
   * @param name what the layer is, for messages
   * @param packages the packages that make it up
   * @param allowed other packages or classes its classes may use
   * @param forbidden packages or classes its classes may not use, even where allowed otherwise
   */
  public record Layer(
      String name, List<String> packages, List<String> allowed, List<String> forbidden) {
    /** A layer of the given packages that may use only its own and the layers below it. */
    public static Layer of(String name, String... packages) {
      return new Layer(name, List.of(packages), List.of(), List.of());
    }

    /** This layer, which may also use the given packages or classes. */
    public Layer mayUse(String... more) {
      return new Layer(name, packages, plus(allowed, more), forbidden);
    }

    /** This layer, which may never use the given packages or classes. */
    public Layer mayNotUse(String... more) {
      return new Layer(name, packages, allowed, plus(forbidden, more));
    }

    boolean holds(String type) {
      return matchesAny(type, packages);
    }

    private static List<String> plus(List<String> list, String... more) {
      List<String> all = new ArrayList<>(list);
      all.addAll(List.of(more));
      return List.copyOf(all);
    }
  }

  /**
   * A rule of the given layers, bottom first; every class may also use {@code everywhere} (for
   * example {@code java.} for the JDK).
   */
  public static LayerRule bottomUp(List<String> everywhere, Layer... layers) {
    return new LayerRule(List.of(layers), List.copyOf(everywhere));
  }

  /**
   * Every use that breaks the rule in the classes below {@code classes} (a compiler output folder),
   * as "{@code from -> to (layer: why)}" lines; empty when the rule holds.
   */
  public List<String> violations(Path classes) {
    List<String> found = new ArrayList<>();
    for (Edge edge : edges(classes)) {
      int layer = layerOf(edge.from());
      if (layer >= 0 && !allowed(layer, edge.to())) {
        found.add(
            edge.from()
                + " -> "
                + edge.to()
                + " ("
                + layers.get(layer).name()
                + " may not use it)");
      }
    }
    return found;
  }

  /** The classes below {@code classes} that are in no layer of this rule: each one is unchecked. */
  public List<String> outsideEveryLayer(Path classes) {
    Set<String> found = new LinkedHashSet<>();
    for (Edge edge : edges(classes)) {
      if (layerOf(edge.from()) < 0) {
        found.add(edge.from());
      }
    }
    return List.copyOf(found);
  }

  /** One use of a class by another, as jdeps reports it. */
  private record Edge(String from, String to) {}

  /** Every use in the classes below {@code classes}, read once per folder (jdeps takes a while). */
  private static List<Edge> edges(Path classes) {
    if (!Files.isDirectory(classes)) {
      throw new IllegalStateException("no compiled classes at " + classes.toAbsolutePath());
    }
    return EDGES.computeIfAbsent(
        classes.toAbsolutePath().normalize(),
        dir -> {
          List<Edge> edges = new ArrayList<>();
          for (String line : jdeps(dir).split("\n")) {
            Matcher m = EDGE.matcher(line);
            if (m.find()) {
              edges.add(new Edge(m.group(1), m.group(2)));
            }
          }
          return List.copyOf(edges);
        });
  }

  private int layerOf(String type) {
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i).holds(type)) {
        return i;
      }
    }
    return -1;
  }

  private boolean allowed(int layer, String to) {
    Layer from = layers.get(layer);
    if (matchesAny(to, from.forbidden())) {
      return false;
    }
    if (matchesAny(to, everywhere) || matchesAny(to, from.allowed())) {
      return true;
    }
    int target = layerOf(to);
    return target >= 0 && target <= layer;
  }

  /**
   * Whether {@code type} (a binary name: {@code a.b.C$D}) is named by one of {@code names}: a
   * package (exactly that package, not its sub-packages), a class (and its nested classes), or a
   * prefix ending in a dot ({@code "java."}: every package below).
   */
  private static boolean matchesAny(String type, List<String> names) {
    String top = type.contains("$") ? type.substring(0, type.indexOf('$')) : type;
    String pkg = top.contains(".") ? top.substring(0, top.lastIndexOf('.')) : "";
    for (String name : names) {
      if (name.endsWith(".") ? type.startsWith(name) : name.equals(pkg) || name.equals(top)) {
        return true;
      }
    }
    return false;
  }

  private static String jdeps(Path classes) {
    ToolProvider jdeps =
        ToolProvider.findFirst("jdeps")
            .orElseThrow(
                () -> new IllegalStateException("jdeps is missing: run the tests on a JDK"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int rc =
        jdeps.run(
            new PrintWriter(out),
            new PrintWriter(err),
            "-verbose:class",
            "-filter:none",
            classes.toString());
    if (rc != 0) {
      throw new IllegalStateException("jdeps failed (" + rc + "): " + err + out);
    }
    return out.toString();
  }
}
