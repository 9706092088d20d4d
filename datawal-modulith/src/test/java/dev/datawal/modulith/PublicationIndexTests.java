package dev.datawal.modulith;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The index's hash table (linear probing with back-shift deletion) and dense slots, against a map:
 * seeded random adds, updates and removes, growing and shrinking. The seed is printed.
 */
class PublicationIndexTests {
  @Test
  void randomAddsUpdatesAndRemovesAgreeWithAMap() {
    long seed = Long.getLong("datawal.modulith.seed", System.nanoTime());
    System.out.println("PublicationIndexTests seed=" + seed);
    Random random = new Random(seed);
    PublicationIndex index = new PublicationIndex();
    Map<UUID, PublicationIndex.State> model = new HashMap<>();
    List<UUID> ids = new ArrayList<>();
    for (int step = 0; step < 60_000; step++) {
      int action = random.nextInt(10);
      boolean growing = (step / 15_000) % 2 == 0; // grow, shrink, grow, shrink
      if (ids.isEmpty() || (growing ? action < 6 : action < 2)) {
        // a few ids share their high bits to force collisions in the table
        UUID id = new UUID(random.nextInt(8), random.nextLong());
        byte status = (byte) new int[] {0, 1, 3, 4}[random.nextInt(4)];
        index.add(
            id, status, 1, Instant.ofEpochSecond(random.nextInt(1000)), "l" + random.nextInt(3), 7);
        model.put(id, new PublicationIndex.State(status, 1));
        ids.add(id);
      } else if (action < 8) {
        UUID id = ids.remove(random.nextInt(ids.size()));
        assertThat(index.remove(id)).isTrue();
        model.remove(id);
      } else {
        UUID id = ids.get(random.nextInt(ids.size()));
        index.update(id, (byte) 3, 2);
        model.put(id, new PublicationIndex.State((byte) 3, 2));
      }
      if (step % 997 == 0) {
        assertAgrees(index, model, seed);
      }
    }
    assertAgrees(index, model, seed);
    assertThat(index.state(UUID.randomUUID())).isNull();
  }

  private static void assertAgrees(
      PublicationIndex index, Map<UUID, PublicationIndex.State> model, long seed) {
    assertThat(index.size()).as("seed " + seed).isEqualTo(model.size());
    model.forEach((id, state) -> assertThat(index.state(id)).as("seed " + seed).isEqualTo(state));
    assertThat(index.select(0b11111, null, -1).size()).isEqualTo(model.size());
  }

  @Test
  void selectionsAreSortedByDateAndLimited() {
    PublicationIndex index = new PublicationIndex();
    UUID late = new UUID(0, 1);
    UUID early = new UUID(0, 2);
    UUID failed = new UUID(0, 3);
    index.add(late, (byte) 0, 1, Instant.ofEpochSecond(20), "a", 1);
    index.add(early, (byte) 0, 1, Instant.ofEpochSecond(10), "a", 1);
    index.add(failed, (byte) 3, 1, Instant.ofEpochSecond(5), "b", 2);

    PublicationIndex.Selection all = index.select(0b11011, null, -1);
    assertThat(List.of(all.id(0), all.id(1), all.id(2))).containsExactly(failed, early, late);
    PublicationIndex.Selection published = index.select(1, Instant.ofEpochSecond(20), 5);
    assertThat(published.size()).isEqualTo(1);
    assertThat(published.id(0)).isEqualTo(early);
    assertThat(index.select(1, null, 1).size()).isEqualTo(1);
    assertThat(index.withContent("a", 1)).containsExactlyInAnyOrder(late, early);
    assertThat(index.withContent("b", 1)).isEmpty();
    assertThat(index.oldest(1 << 3)).isEqualTo(Instant.ofEpochSecond(5));
    assertThat(index.oldest(1 << 1)).isNull();
  }
}
