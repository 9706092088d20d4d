package dev.datawal.cli;

import static dev.datawal.cli.TestStores.segment;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.RecordType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Every kind of damage, through the real jar: verify, scan and report name it (file, segment,
 * offset, kind, CRCs), exit 2 for a torn tail and 3 for what recovery refuses, and never change the
 * store.
 */
class CorruptionCommandTests {
  @TempDir Path tmp;

  /**
   * One damaged store and what the commands must say about it.
   *
   * @param build makes the store in the directory given and returns it
   * @param segment the damaged segment
   * @param offset where the damage starts
   * @param length how long the damaged region is
   * @param kind the CorruptionKind name
   * @param tornTail whether recovery tolerates it
   * @param recordsBefore the payloads a scan shows before it stops
   */
  record Case(
      String name,
      Function<Path, Path> build,
      long segment,
      long offset,
      long length,
      String kind,
      boolean tornTail,
      List<String> recordsBefore) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
            new Case(
                "torn tail: the last frame of the last segment cut short",
                dir -> TestStores.fixture("truncated_tail", dir),
                1,
                62,
                28,
                "TRUNCATED",
                true,
                List.of("one", "two")),
            new Case(
                "torn tail: zero fill after the last frame",
                dir -> {
                  TestStores.rawStore(dir, "a", "b");
                  TestStores.append(segment(dir, 1), new byte[40]);
                  return dir;
                },
                1,
                58,
                40,
                "STRUCTURAL",
                true,
                List.of("a", "b")),
            new Case(
                "torn tail: a header torn after its magic, version 0xFFFF and a cut frame",
                dir -> {
                  byte[] torn =
                      TestStores.frame(dir.resolveSibling("scratch"), RecordType.RAW, 3, "", "c");
                  torn[4] = (byte) 0xFF; // no format has version 65535: damage, not a newer format
                  torn[5] = (byte) 0xFF;
                  TestStores.rawStore(dir, "a", "b");
                  TestStores.append(segment(dir, 1), java.util.Arrays.copyOf(torn, 26));
                  return dir;
                },
                1,
                58,
                26,
                "STRUCTURAL",
                true,
                List.of("a", "b")),
            new Case(
                "unsupported version: a whole, CRC-valid frame whose version bytes read 0xFFFF",
                dir -> {
                  byte[] damaged =
                      TestStores.frame(dir.resolveSibling("scratch"), RecordType.RAW, 3, "", "c");
                  damaged[4] = (byte) 0xFF;
                  damaged[5] = (byte) 0xFF;
                  TestStores.rawStore(dir, "a", "b");
                  TestStores.append(segment(dir, 1), damaged);
                  return dir;
                },
                1,
                58,
                29,
                "UNSUPPORTED_VERSION",
                false,
                List.of("a", "b")),
            new Case(
                "truncated frame in a sealed segment of a store without a manifest",
                dir -> {
                  TestStores.rawStore(dir, List.of(List.of("a", "b"), List.of("c")));
                  TestStores.truncate(segment(dir, 1), 58 - 5);
                  // As the reference writes a store. With its manifest, the store also lost the
                  // segment's last bytes: LostDataCommandTests shows both.
                  TestStores.deleteManifest(dir);
                  return dir;
                },
                1,
                29,
                24,
                "TRUNCATED",
                false,
                List.of("a")),
            new Case(
                "CRC mismatch in a sealed segment (reference fixture bad_crc)",
                dir -> TestStores.fixture("bad_crc", dir),
                2,
                0,
                50,
                "CRC_MISMATCH",
                false,
                List.of("good")),
            new Case(
                "structural damage (bad magic) in a sealed segment",
                dir -> {
                  TestStores.rawStore(dir, List.of(List.of("a", "b", "c"), List.of("d")));
                  TestStores.patch(segment(dir, 1), 29, (byte) 'X');
                  return dir;
                },
                1,
                29,
                29,
                "STRUCTURAL",
                false,
                List.of("a")),
            new Case(
                "unsupported version (reference fixture unknown_version)",
                dir -> TestStores.fixture("unknown_version", dir),
                1,
                0,
                33,
                "UNSUPPORTED_VERSION",
                false,
                List.of()),
            new Case(
                "mid-stream damage in the last segment: the reference appended after a torn tail",
                dir -> {
                  byte[] appended =
                      TestStores.frame(
                          dir.resolveSibling("scratch"), RecordType.RAW, 3, "", "appended");
                  TestStores.rawStore(dir, "one", "two", "three");
                  TestStores.truncate(segment(dir, 1), TestStores.read(segment(dir, 1)).length - 5);
                  TestStores.append(segment(dir, 1), appended);
                  return dir;
                },
                1,
                62,
                28,
                "CRC_MISMATCH", // the cut frame's length runs into the appended one
                false,
                List.of("one", "two")))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyCommandNamesTheDamageAndExitsWithItsCode(Case c) {
    Path store = c.build().apply(tmp.resolve("store"));
    Map<String, String> before = TestStores.snapshot(store);
    Path file = store.resolve(String.format("%08d.dwal", c.segment()));
    int exit = c.tornTail() ? 2 : 3;

    JarRunner.Result verify = JarRunner.run("--json", "verify", store.toString());
    assertThat(verify.code()).as(verify.toString()).isEqualTo(exit);
    JsonNode damage = verify.single("damage");
    assertThat(damage.get("segment").asLong()).isEqualTo(c.segment());
    assertThat(damage.get("offset").asLong()).isEqualTo(c.offset());
    assertThat(damage.get("length").asLong()).isEqualTo(c.length());
    assertThat(damage.get("damage_kind").asString()).isEqualTo(c.kind());
    assertThat(damage.get("torn_tail").asBoolean()).isEqualTo(c.tornTail());
    assertThat(damage.get("file").asString()).isEqualTo(file.toString());
    if (c.kind().equals("CRC_MISMATCH")) {
      String stored = damage.get("stored_crc").asString();
      String computed = damage.get("computed_crc").asString();
      assertThat(stored).matches("0x[0-9a-f]{8}").isNotEqualTo(computed);
      assertThat(damage.get("detail").asString()).contains(stored).contains(computed);
      assertThat(verify.single("verify").get("crc_failures").asLong()).isEqualTo(1);
    } else {
      assertThat(damage.get("stored_crc").isNull()).isTrue();
    }
    JsonNode summary = verify.single("verify");
    assertThat(summary.get("tail_truncated").asLong()).isEqualTo(c.tornTail() ? 1 : 0);
    assertThat(summary.get("damaged_regions").asLong()).isEqualTo(c.tornTail() ? 0 : 1);

    JarRunner.Result scan = JarRunner.run("--json", "scan", store.toString());
    assertThat(scan.code()).as(scan.toString()).isEqualTo(exit);
    assertThat(scan.json("record"))
        .extracting(
            r ->
                new String(
                    java.util.Base64.getDecoder().decode(r.get("payload_base64").asString())))
        .containsExactlyElementsOf(c.recordsBefore());
    assertThat(scan.single("damage").get("offset").asLong()).isEqualTo(c.offset());

    JarRunner.Result report = JarRunner.run("report", store.toString());
    assertThat(report.code()).as(report.toString()).isEqualTo(exit);
    String where = "segment " + c.segment() + " at offset " + c.offset();
    String said = c.tornTail() ? report.out() : report.err();
    assertThat(said).contains(where).contains(file.toString());
    if (!c.tornTail()) {
      assertThat(report.out()).isEmpty();
      assertThat(report.err()).contains("recovery refuses to open the store");
    }

    // Nothing changed, created (no .lock in a copied fixture either) or deleted.
    assertThat(TestStores.snapshot(store))
        .as("read-only commands change nothing")
        .isEqualTo(before);
  }

  /** The walk check and get share is the one scan uses: two cases show both outcomes. */
  static Stream<Arguments> tornAndMidStream() {
    return cases()
        .filter(
            a -> {
              String name = ((Case) a.get()[0]).name();
              return name.startsWith("mid-stream") || name.startsWith("torn tail: the last");
            });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tornAndMidStream")
  void checkAndGetStopWhereRecoveryWould(Case c) {
    Path store = c.build().apply(tmp.resolve("store"));
    int exit = c.tornTail() ? 2 : 3;

    JarRunner.Result check = JarRunner.run("--json", "check", store.toString());
    assertThat(check.code()).as(check.toString()).isEqualTo(exit);
    assertThat(check.single("check").get("mid_stream_errors").asInt())
        .isEqualTo(c.tornTail() ? 0 : 1);

    JarRunner.Result get = JarRunner.run("get", store.toString(), "--key", "any");
    assertThat(get.code()).as(get.toString()).isEqualTo(c.tornTail() ? 2 : 3);
    assertThat(get.err()).contains("segment 1 at offset 62");
  }
}
