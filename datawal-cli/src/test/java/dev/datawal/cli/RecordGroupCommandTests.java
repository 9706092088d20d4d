package dev.datawal.cli;

import static dev.datawal.cli.TestStores.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DataWal;
import dev.datawal.Entry;
import dev.datawal.Record;
import dev.datawal.RecordLogReader;
import dev.datawal.RecordRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Record groups (atomic writes) through the real jar: the records are listed as the engine reads
 * them, the marker only by {@code dump}, and a group cut short is a torn tail from its marker.
 */
class RecordGroupCommandTests {
  @TempDir Path tmp;

  /** A store of a Put, a group of two Puts and a Put; returns the group's records. */
  private static List<RecordRef> store(Path dir) {
    try (DataWal kv = DataWal.open(dir)) {
      kv.put(utf8("a"), utf8("1"));
      List<RecordRef> group =
          kv.writeAtomically(
              List.of(Entry.put(utf8("b"), utf8("2")), Entry.put(utf8("c"), utf8("3"))));
      kv.put(utf8("d"), utf8("4"));
      return group;
    }
  }

  @Test
  void scanListsTheRecordsOfAGroupAndDumpAlsoItsMarker() {
    Path dir = tmp.resolve("s");
    store(dir);
    List<Record> records = RecordLogReader.open(dir).scan();
    assertThat(records).extracting(Record::txid).containsExactly(1L, 3L, 4L, 5L);

    JarRunner.Result scan = JarRunner.run("--json", "scan", dir.toString());
    assertThat(scan.code()).as(scan.toString()).isZero();
    assertThat(scan.json("record").stream().map(n -> n.get("txid").asLong()))
        .containsExactly(1L, 3L, 4L, 5L);

    JarRunner.Result dump = JarRunner.run("--json", "dump", dir.toString());
    assertThat(dump.code()).as(dump.toString()).isZero();
    List<JsonNode> frames = dump.json("frame");
    assertThat(frames.stream().map(n -> n.get("txid").asLong()))
        .containsExactly(1L, 2L, 3L, 4L, 5L);
    JsonNode marker = frames.get(1);
    assertThat(marker.get("record_type").asString()).isEqualTo("Delete");
    assertThat(marker.get("group_members").asLong()).isEqualTo(2);
    assertThat(marker.get("len").asInt()).isEqualTo(55);
    assertThat(frames.get(0).has("group_members")).isFalse();

    JarRunner.Result text = JarRunner.run("dump", dir.toString());
    assertThat(text.out().lines().filter(l -> l.contains("group_members=2"))).hasSize(1);
  }

  @Test
  void aGroupCutShortIsATornTailFromItsMarkerAndNoneOfItIsShown() throws IOException {
    Path dir = tmp.resolve("s");
    List<RecordRef> group = store(dir);
    // A store as the reference writes it, where a cut is what a crash leaves: no manifest, and no
    // key-directory snapshot that would record the segment's length either.
    TestStores.deleteManifest(dir);
    Files.delete(dir.resolve("keydir.snapshot"));
    long markerAt = group.get(0).offset() - 55;
    TestStores.truncate(TestStores.segment(dir, 1), group.get(1).offset() + 3);

    JarRunner.Result scan = JarRunner.run("--json", "scan", dir.toString());
    assertThat(scan.code()).as(scan.toString()).isEqualTo(ExitCode.RECOVERABLE);
    assertThat(scan.json("record").stream().map(n -> n.get("txid").asLong())).containsExactly(1L);
    JsonNode damage = scan.single("damage");
    assertThat(damage.get("damage_kind").asString()).isEqualTo("INCOMPLETE_GROUP");
    assertThat(damage.get("offset").asLong()).isEqualTo(markerAt);
    assertThat(damage.get("torn_tail").asBoolean()).isTrue();

    JarRunner.Result get = JarRunner.run("get", dir.toString(), "--key", "b");
    assertThat(get.code()).as(get.toString()).isEqualTo(ExitCode.RECOVERABLE);
    assertThat(get.err()).contains("key not found");

    JarRunner.Result verify = JarRunner.run("verify", dir.toString());
    assertThat(verify.code()).as(verify.toString()).isEqualTo(ExitCode.RECOVERABLE);
    assertThat(verify.out())
        .contains("torn tail (incomplete record group) in segment 1 at offset " + markerAt);
  }
}
