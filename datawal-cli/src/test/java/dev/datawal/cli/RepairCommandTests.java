package dev.datawal.cli;

import static dev.datawal.cli.TestStores.segment;
import static dev.datawal.cli.TestStores.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.Record;
import dev.datawal.RecordLog;
import dev.datawal.RecordType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code repair}, through the real jar: a dry run changes nothing; with {@code --yes} it moves
 * exactly the damaged bytes to quarantine files, and the store then opens with {@link
 * RecordLog#open} keeping every record around the damage.
 */
class RepairCommandTests {
  @TempDir Path tmp;

  private static List<String> payloads(Path store) {
    try (RecordLog log = RecordLog.open(store)) {
      return log.scan().stream()
          .map(Record::payload)
          .map(p -> new String(p, StandardCharsets.UTF_8))
          .toList();
    }
  }

  @Test
  void aDryRunShowsThePlanAndChangesNothing() {
    Path store = TestStores.fixture("bad_crc", tmp.resolve("store"));
    Map<String, String> before = TestStores.snapshot(store);

    JarRunner.Result human = JarRunner.run("repair", store.toString());
    JarRunner.Result json = JarRunner.run("--json", "repair", store.toString());

    assertThat(human.code()).as(human.toString()).isEqualTo(3);
    assertThat(human.out())
        .contains("quarantine  segment 2, offset 0, 50 bytes: CRC mismatch")
        .contains("-> 00000002.dwal.quarantine-at-0");
    assertThat(human.err()).contains("dry run: nothing was changed").contains("--yes");
    assertThat(json.code()).isEqualTo(3);
    JsonNode q = json.single("quarantine");
    assertThat(q.get("applied").asBoolean()).isFalse();
    assertThat(q.get("length").asLong()).isEqualTo(50);
    assertThat(json.single("repair").get("dry_run").asBoolean()).isTrue();
    assertThat(TestStores.snapshot(store)).isEqualTo(before);
  }

  @Test
  void aCorruptSealedSegmentIsQuarantinedByteForByteAndTheStoreOpens() {
    Path store = TestStores.fixture("bad_crc", tmp.resolve("store"));
    byte[] damaged = TestStores.read(segment(store, 2));

    JarRunner.Result r = JarRunner.run("--json", "repair", store.toString(), "--yes");

    assertThat(r.code()).as(r.toString()).isZero();
    JsonNode q = r.single("quarantine");
    assertThat(q.get("applied").asBoolean()).isTrue();
    assertThat(q.get("file").asString()).endsWith("00000002.dwal.quarantine-at-0");
    JsonNode summary = r.single("repair");
    assertThat(summary.get("dry_run").asBoolean()).isFalse();
    assertThat(summary.get("quarantined_bytes").asLong()).isEqualTo(50);
    assertThat(summary.get("store_opens").asBoolean()).isTrue();
    assertThat(TestStores.read(store.resolve("00000002.dwal.quarantine-at-0"))).isEqualTo(damaged);
    assertThat(payloads(store)).containsExactly("good", "after");

    JarRunner.Result verify = JarRunner.run("verify", store.toString());
    assertThat(verify.code()).as(verify.toString()).isZero();
  }

  @Test
  void appendsAReferenceWriterMadeAfterATornTailAreKept() {
    Path store = tmp.resolve("store");
    byte[] appended = TestStores.frame(tmp.resolve("scratch"), RecordType.RAW, 3, "", "appended");
    TestStores.rawStore(store, "one", "two", "three");
    byte[] three = TestStores.read(segment(store, 1));
    TestStores.truncate(segment(store, 1), three.length - 5);
    TestStores.append(segment(store, 1), appended);

    JarRunner.Result r = JarRunner.run("repair", store.toString(), "--yes");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("store opens          true");
    assertThat(TestStores.read(store.resolve("00000001.dwal.quarantine-at-62")))
        .isEqualTo(Arrays.copyOfRange(three, 62, three.length - 5));
    assertThat(payloads(store)).containsExactly("one", "two", "appended");
  }

  @Test
  void anUnknownVersionHeaderAtTheTailIsQuarantinedButATornTailIsLeftToTheWriter() {
    Path store = TestStores.rawStore(tmp.resolve("store"), "a", "b");
    byte[] newer = TestStores.frame(tmp.resolve("scratch"), RecordType.RAW, 3, "", "next");
    newer[4] = (byte) 0xFE; // version 0xCAFE on a whole frame, CRC-valid as version 1: damaged
    newer[5] = (byte) 0xCA;
    TestStores.append(segment(store, 1), newer);

    JarRunner.Result r = JarRunner.run("--json", "repair", store.toString(), "--yes");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.single("quarantine").get("damage_kind").asString())
        .isEqualTo("UNSUPPORTED_VERSION");
    assertThat(TestStores.read(store.resolve("00000001.dwal.quarantine-at-58"))).isEqualTo(newer);
    assertThat(payloads(store)).containsExactly("a", "b");

    // A torn header does not stop the store from opening: repair --yes leaves it alone.
    TestStores.append(segment(store, 1), utf8("DWA"));
    byte[] torn = TestStores.read(segment(store, 1));

    JarRunner.Result again = JarRunner.run("--json", "repair", store.toString(), "--yes");

    assertThat(again.code()).as(again.toString()).isEqualTo(2);
    assertThat(again.json("quarantine")).isEmpty();
    assertThat(again.single("damage").get("torn_tail").asBoolean()).isTrue();
    assertThat(TestStores.read(segment(store, 1))).isEqualTo(torn);
  }

  @Test
  void aTornTailAloneNeedsNoRepairAndIsLeftInPlace() {
    Path store = TestStores.fixture("truncated_tail", tmp.resolve("store"));
    Map<String, String> before = TestStores.snapshot(store);

    JarRunner.Result dry = JarRunner.run("repair", store.toString());

    assertThat(dry.code()).as(dry.toString()).isEqualTo(2);
    assertThat(dry.out())
        .contains("leave       torn tail (truncated frame) in segment 1 at offset 62");
    assertThat(dry.err()).contains("nothing to repair");
    assertThat(TestStores.snapshot(store)).isEqualTo(before);
  }
}
