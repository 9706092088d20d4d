package dev.datawal.testing;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The seed of a randomized test, the same way in every module: taken from a system property if it
 * is set, else drawn at random, and printed once as
 *
 * <pre>{@code <TestClass>: seed <N> (replay: -Dtest=<TestClass> -D<property>=<N>)}</pre>
 *
 * <p>The property holds a number (decimal, or hexadecimal after {@code 0x}) or {@code random};
 * unset or empty means random, unless the test has a fixed default seed. Call it once per test
 * class, e.g. in a {@code static final} field.
 *
 * <p>Shared through the engine's test jar, so that every module's randomized tests print their
 * seeds alike.
 */
public final class TestSeed {
  private TestSeed() {}

  /** The seed from {@code -D<property>}, else a random one; printed (see the class comment). */
  public static long of(Class<?> test, String property) {
    String value = System.getProperty(property, "").trim();
    return printed(test, property, value.isEmpty() ? random() : parse(value));
  }

  /**
   * The seed from {@code -D<property>}, else {@code fixedDefault} (so that a plain build is
   * repeatable); {@code random} draws one. Printed (see the class comment).
   */
  public static long of(Class<?> test, String property, long fixedDefault) {
    String value = System.getProperty(property, "").trim();
    return printed(test, property, value.isEmpty() ? fixedDefault : parse(value));
  }

  /**
   * A well-mixed seed for item {@code index} of stream {@code stream}, derived from {@code seed}
   * (SplitMix64 finalizer), for a test that draws many cases from one printed seed.
   */
  public static long derive(long seed, long stream, long index) {
    long z = seed + 0x9E3779B97F4A7C15L * (stream * 0x1_0000_0001L + index + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static long printed(Class<?> test, String property, long seed) {
    String name = test.getSimpleName();
    System.out.printf(
        "%s: seed %d (replay: -Dtest=%s -D%s=%d)%n", name, seed, name, property, seed);
    return seed;
  }

  private static long parse(String value) {
    if (value.equals("random")) {
      return random();
    }
    return value.startsWith("0x")
        ? Long.parseUnsignedLong(value.substring(2), 16)
        : Long.parseLong(value);
  }

  /** Non-negative and at most 15 digits, to read and type back easily. */
  private static long random() {
    return ThreadLocalRandom.current().nextLong() >>> 16;
  }
}
