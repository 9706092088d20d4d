package dev.datawal.internal.kv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.testing.TestSeed;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The live bytes per segment, compared with a map after every step of a seeded workload. */
class SegmentUsageTests {
  private static final long SEED = TestSeed.of(SegmentUsageTests.class, "datawal.test.seed");

  private static long previous(long segment, int length) {
    return (segment << 32) | length;
  }

  @Test
  void countsMatchAModelThroughPutsDeletesAndDeletedSegments() {
    Random r = new Random(SEED);
    SegmentUsage usage = new SegmentUsage();
    Map<Long, Long> model = new HashMap<>();
    Map<Integer, long[]> keys = new HashMap<>(); // key -> {segment, length}
    long active = 1 + r.nextInt(5);
    long oldest = active;
    for (int step = 0; step < 20_000; step++) {
      int op = r.nextInt(100);
      if (op < 70) {
        int key = r.nextInt(500);
        int length = 1 + r.nextInt(1000);
        long[] old = keys.put(key, new long[] {active, length});
        usage.put(old == null ? KeyDirectory.NONE : previous(old[0], (int) old[1]), active, length);
        if (old != null) {
          model.merge(old[0], -old[1], Long::sum);
        }
        model.merge(active, (long) length, Long::sum);
      } else if (op < 85) {
        long[] old = keys.remove(r.nextInt(500));
        usage.replaced(old == null ? KeyDirectory.NONE : previous(old[0], (int) old[1]));
        if (old != null) {
          model.merge(old[0], -old[1], Long::sum);
        }
      } else if (op < 95) {
        active++;
      } else {
        // Compaction: move every live key of the oldest sealed segment to the active one, then
        // delete that segment, as StoreCompaction does.
        if (oldest < active) {
          for (long[] where : keys.values()) {
            if (where[0] == oldest) {
              usage.put(previous(where[0], (int) where[1]), active, (int) where[1]);
              model.merge(oldest, -where[1], Long::sum);
              model.merge(active, where[1], Long::sum);
              where[0] = active;
            }
          }
          usage.deleted(oldest);
          model.remove(oldest);
          oldest++;
        }
      }
      for (long s = oldest; s <= active; s++) {
        assertThat(usage.live(s))
            .as("segment %d at step %d", s, step)
            .isEqualTo(model.getOrDefault(s, 0L));
      }
      assertThat(usage.total()).isEqualTo(model.values().stream().mapToLong(Long::longValue).sum());
    }
  }
}
