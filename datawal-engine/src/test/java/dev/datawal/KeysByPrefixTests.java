package dev.datawal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DataWal#keys(byte[])} lists exactly the live keys with a prefix, before and after reopen.
 */
class KeysByPrefixTests {
  @TempDir Path tmp;

  @Test
  void keysWithAPrefixAreExactlyTheLiveKeysThatStartWithIt() {
    long seed = System.nanoTime();
    System.out.println("KeysByPrefixTests seed=" + seed);
    Random random = new Random(seed);
    TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
    Path dir = tmp.resolve("s");
    try (DataWal kv = DataWal.open(dir)) {
      for (int i = 0; i < 2_000; i++) {
        byte[] key = randomKey(random);
        if (random.nextInt(4) == 0) {
          kv.delete(key);
          model.remove(key);
        } else {
          kv.put(key, key);
          model.put(key, key);
        }
      }
      check(kv, model, random, seed);
    }
    try (DataWal kv = DataWal.open(dir)) { // from the key-directory snapshot written at close
      kv.put(new byte[] {1, 2}, new byte[0]);
      model.put(new byte[] {1, 2}, new byte[0]);
      check(kv, model, random, seed);
    }
  }

  private static void check(DataWal kv, TreeMap<byte[], byte[]> model, Random random, long seed) {
    List<byte[]> prefixes =
        new ArrayList<>(List.of(new byte[0], new byte[] {1}, new byte[] {1, 2}));
    for (int i = 0; i < 20; i++) {
      prefixes.add(randomKey(random));
    }
    for (byte[] prefix : prefixes) {
      List<byte[]> expected =
          model.keySet().stream()
              .filter(
                  k ->
                      k.length >= prefix.length
                          && Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length))
              .toList();
      assertThat(kv.keys(prefix))
          .as("prefix %s, seed %d", Arrays.toString(prefix), seed)
          .containsExactlyElementsOf(expected);
    }
    assertThat(kv.keys()).containsExactlyElementsOf(model.keySet());
  }

  /** Short keys over a small alphabet, so that prefixes are shared. */
  private static byte[] randomKey(Random random) {
    byte[] key = new byte[1 + random.nextInt(4)];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) random.nextInt(3);
    }
    return key;
  }
}
