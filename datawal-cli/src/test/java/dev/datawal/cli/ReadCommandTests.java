package dev.datawal.cli;

import static dev.datawal.cli.TestStores.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DataWal;
import dev.datawal.Record;
import dev.datawal.RecordLogReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The read-only commands, through the real jar, on one healthy key/value store of two segments;
 * none of them may change a byte of it.
 */
class ReadCommandTests {
  private static final byte[] BINARY = {0, 1, (byte) 0xFF};
  private static final String LONG = "A".repeat(100);
  private static final byte[] EVERY_BYTE = everyByte();

  @TempDir static Path tmp;
  private static Path store;
  private static Map<String, String> before;
  private static List<Record> records;

  @BeforeAll
  static void buildStore() {
    store = tmp.resolve("store");
    try (DataWal kv = DataWal.open(store)) {
      kv.put(utf8("alpha"), utf8("1"));
      kv.put(utf8("foo bar"), utf8("baz"));
      kv.put(utf8("bin"), BINARY);
      kv.put(utf8("long"), utf8(LONG));
      kv.log().append(utf8("a raw entry"));
      kv.log().rotate();
      kv.put(utf8("alpha"), utf8("2"));
      kv.delete(utf8("foo bar"));
      kv.put(utf8("beta"), utf8("22"));
      kv.put(utf8("clé"), utf8("café crème"));
      kv.put(utf8("looks"), utf8("b64:AAH/"));
      kv.put(utf8("every byte"), EVERY_BYTE);
    }
    records = RecordLogReader.open(store).scan();
    before = TestStores.snapshot(store);
  }

  private static byte[] everyByte() {
    byte[] bytes = new byte[256 * 2];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
    }
    return bytes;
  }

  @AfterAll
  static void noCommandChangedTheStore() {
    assertThat(TestStores.snapshot(store)).isEqualTo(before);
  }

  @Test
  void scanPrintsEveryRecordAsJsonExactlyAsTheEngineReadsIt() {
    JarRunner.Result r = JarRunner.run("--json", "scan", store.toString());

    assertThat(r.code()).as(r.toString()).isZero();
    List<JsonNode> lines = r.json("record");
    assertThat(lines).hasSize(records.size());
    for (int i = 0; i < records.size(); i++) {
      Record want = records.get(i);
      JsonNode got = lines.get(i);
      assertThat(got.get("segment").asLong()).isEqualTo(want.segment());
      assertThat(got.get("offset").asLong()).isEqualTo(want.offset());
      assertThat(got.get("len").asInt()).isEqualTo(want.length());
      assertThat(got.get("record_type").asString())
          .isEqualTo(
              switch (want.type()) {
                case RAW -> "Raw";
                case PUT -> "Put";
                case DELETE -> "Delete";
              });
      assertThat(got.get("txid").asLong()).isEqualTo(want.txid());
      assertThat(Base64.getDecoder().decode(got.get("key_base64").asString()))
          .isEqualTo(want.key());
      assertThat(Base64.getDecoder().decode(got.get("payload_base64").asString()))
          .isEqualTo(want.payload());
    }
    assertThat(r.err()).isEmpty();
  }

  @Test
  void scanHumanLinesAreAlignedAndShowBytesReadably() {
    JarRunner.Result r = JarRunner.run("scan", store.toString());

    assertThat(r.code()).as(r.toString()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(records.size());
    assertThat(lines.get(0))
        .isEqualTo(
            "seg=00000001 off=         0 len=      34 type=PUT txid=         1 key=alpha"
                + " payload=1");
    assertThat(lines.stream().map(l -> l.indexOf(" key=")))
        .containsOnly(lines.get(0).indexOf(" key="));
    assertThat(r.out())
        .contains("key=\"foo bar\" payload=baz")
        .contains("key=bin payload=b64:AAH/")
        .contains("key=long payload=" + "A".repeat(64) + "...(100 bytes, 64 shown)\n")
        .contains("type=RAW txid=         5 key=\"\" payload=\"a raw entry\"")
        .contains("type=DEL txid=         7 key=\"foo bar\" payload=\"\"")
        .contains("key=clé payload=\"café crème\"")
        .contains("key=looks payload=\"b64:AAH/\"");
  }

  @Test
  void scanSaysWhatItCutAndNoTruncateShowsEverythingWhole() {
    JarRunner.Result cut = JarRunner.run("scan", store.toString());
    assertThat(cut.err())
        .contains(
            "datawal: 2 key(s) or payload(s) longer than 64 bytes are cut, marked ...(N bytes,"
                + " M shown); --no-truncate shows them whole (datawal get --bytes raw writes one"
                + " value's bytes)");

    JarRunner.Result whole = JarRunner.run("scan", store.toString(), "--no-truncate");
    assertThat(whole.code()).as(whole.toString()).isZero();
    assertThat(whole.out())
        .contains("key=long payload=" + LONG + "\n")
        .contains(
            "key=\"every byte\" payload=b64:" + Base64.getEncoder().encodeToString(EVERY_BYTE))
        .doesNotContain(" shown)");
    assertThat(whole.err()).isEmpty();
  }

  @Test
  void getPrintsALongValueWholeByDefault() {
    JarRunner.Result r = JarRunner.run("get", store.toString(), "--key", "long");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo(LONG + "\n");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void scanCanShowEveryByteInHex() {
    JarRunner.Result r = JarRunner.run("scan", store.toString(), "--bytes", "hex", "--no-truncate");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("key=hex:616c706861 payload=hex:31")
        .contains("payload=hex:" + "41".repeat(100) + "\n");
  }

  @Test
  void scanStartsAtASegmentAndOffsetAndStopsAtTheLimit() {
    Record second =
        records.stream().filter(x -> x.segment() == 2).skip(1).findFirst().orElseThrow();

    JarRunner.Result r =
        JarRunner.run(
            "scan",
            "--json",
            store.toString(),
            "--from-segment",
            "2",
            "--from-offset",
            Long.toString(second.offset() - 1),
            "--limit",
            "1");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.single("record").get("txid").asLong()).isEqualTo(second.txid());
  }

  @Test
  void getPrintsTheLatestValueOfAKeyGivenAsTextHexOrBase64() {
    JarRunner.Result text = JarRunner.run("get", store.toString(), "--key", "alpha");
    assertThat(text.code()).as(text.toString()).isZero();
    assertThat(text.out()).isEqualTo("2\n");

    JarRunner.Result hex =
        JarRunner.run(
            "--json", "get", store.toString(), "--key-hex", HexFormat.of().formatHex(utf8("bin")));
    assertThat(hex.code()).as(hex.toString()).isZero();
    JsonNode value = hex.single("value");
    assertThat(value.get("key_base64").asString()).isEqualTo("Ymlu");
    assertThat(value.get("value_base64").asString()).isEqualTo("AAH/");
    assertThat(value.get("value_len").asInt()).isEqualTo(3);

    JarRunner.Result binary = JarRunner.run("get", store.toString(), "--key", "bin");
    assertThat(binary.code()).isZero();
    assertThat(binary.out()).isEmpty();
    assertThat(binary.err())
        .contains(
            "<binary value, 3 bytes; --bytes raw writes its bytes, --bytes base64 or --bytes hex"
                + " encodes it>");
  }

  @Test
  void getBytesRawWritesExactlyTheValuesBytesAndNothingElse() {
    Map<String, byte[]> values =
        Map.of("bin", BINARY, "every byte", EVERY_BYTE, "long", utf8(LONG), "alpha", utf8("2"));
    values.forEach(
        (key, value) -> {
          JarRunner.Result r =
              JarRunner.run("get", store.toString(), "--key", key, "--bytes", "raw");

          assertThat(r.code()).as(r.toString()).isZero();
          assertThat(r.outBytes()).as(key).isEqualTo(value);
          assertThat(r.err()).as(key).isEmpty();
        });
  }

  @Test
  void everyBytesModeThatGetAdvertisesPrintsTheValue() {
    String help = JarRunner.run("get", "--help").out();
    assertThat(help).contains("--bytes MODE", "auto|raw|base64|hex");

    JarRunner.Result base64 =
        JarRunner.run("get", store.toString(), "--key", "bin", "--bytes", "base64");
    assertThat(base64.out()).isEqualTo("AAH/\n");
    JarRunner.Result hex = JarRunner.run("get", store.toString(), "--key", "bin", "--bytes", "hex");
    assertThat(hex.out()).isEqualTo("0001ff\n");
    JarRunner.Result auto =
        JarRunner.run("get", store.toString(), "--key", "bin", "--bytes", "auto");
    assertThat(auto.outBytes()).isEmpty();
    assertThat(auto.err()).contains("<binary value, 3 bytes;");
    JarRunner.Result raw = JarRunner.run("get", store.toString(), "--key", "bin", "--bytes", "raw");
    assertThat(raw.outBytes()).isEqualTo(BINARY);
    assertThat(List.of(base64, hex, auto, raw)).allSatisfy(r -> assertThat(r.code()).isZero());

    JarRunner.Result scanRaw = JarRunner.run("scan", store.toString(), "--bytes", "raw");
    assertThat(scanRaw.code()).isEqualTo(1);
    assertThat(scanRaw.err()).contains("--bytes must be one of auto, base64, hex, got 'raw'");
  }

  @Test
  void getShowsUtf8TextAsTextAndJsonCarriesItAsAString() {
    JarRunner.Result text = JarRunner.run("get", store.toString(), "--key", "clé");
    assertThat(text.code()).as(text.toString()).isZero();
    assertThat(text.out()).isEqualTo("café crème\n");

    JarRunner.Result json = JarRunner.run("--json", "get", store.toString(), "--key", "clé");
    JsonNode value = json.single("value");
    assertThat(value.get("key_text").asString()).isEqualTo("clé");
    assertThat(value.get("value_text").asString()).isEqualTo("café crème");

    JarRunner.Result binary = JarRunner.run("--json", "get", store.toString(), "--key", "bin");
    assertThat(binary.single("value").get("key_text").asString()).isEqualTo("bin");
    assertThat(binary.single("value").get("value_text").isNull()).as("not UTF-8").isTrue();

    JarRunner.Result scan = JarRunner.run("--json", "scan", store.toString());
    assertThat(scan.json("record"))
        .anySatisfy(
            r -> {
              assertThat(r.get("key_text").asString()).isEqualTo("clé");
              assertThat(r.get("payload_text").asString()).isEqualTo("café crème");
            });
  }

  @Test
  void getOfADeletedKeyIsAMissWithExitCode2() {
    String deleted = Base64.getEncoder().encodeToString(utf8("foo bar"));

    JarRunner.Result r = JarRunner.run("--json", "get", store.toString(), "--key-base64", deleted);

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.single("miss").get("key_base64").asString()).isEqualTo(deleted);
  }

  @Test
  void reportVerifyAndCheckOfAHealthyStoreFindNothing() {
    JarRunner.Result report = JarRunner.run("--json", "report", store.toString());
    assertThat(report.code()).as(report.toString()).isZero();
    JsonNode r = report.single("report");
    assertThat(r.get("files_scanned").asInt()).isEqualTo(2);
    assertThat(r.get("records_replayed").asLong()).isEqualTo(records.size());
    assertThat(r.get("tail_truncated").asInt()).isZero();
    assertThat(r.get("tail_bytes_discarded").asLong()).isZero();
    assertThat(r.get("mid_stream_errors").asInt()).isZero();
    assertThat(r.get("unsupported_versions").asInt()).isZero();
    assertThat(r.get("last_txid_seen").asLong()).isEqualTo(records.size());

    JarRunner.Result verify = JarRunner.run("--json", "verify", store.toString());
    assertThat(verify.code()).as(verify.toString()).isZero();
    JsonNode v = verify.single("verify");
    assertThat(v.get("frames_checked").asLong()).isEqualTo(records.size());
    assertThat(v.get("crc_failures").asLong()).isZero();
    assertThat(v.get("last_segment").asLong()).isEqualTo(2);
    assertThat(verify.json("damage")).isEmpty();

    JarRunner.Result check = JarRunner.run("--json", "check", store.toString());
    assertThat(check.code()).as(check.toString()).isZero();
    assertThat(check.single("check").get("keys_checked").asLong()).isEqualTo(7);
    assertThat(check.single("check").get("keys_failed").asLong()).isZero();
  }

  @Test
  void dumpShowsHeadersButNoPayloadBytes() {
    JarRunner.Result r = JarRunner.run("--json", "dump", store.toString(), "--limit", "3");

    assertThat(r.code()).as(r.toString()).isZero();
    List<JsonNode> frames = r.json("frame");
    assertThat(frames).hasSize(3);
    assertThat(frames.get(3 - 1).get("key_len").asInt()).isEqualTo(3);
    assertThat(frames.get(3 - 1).get("payload_len").asInt()).isEqualTo(3);
    assertThat(frames).allSatisfy(f -> assertThat(f.has("payload_base64")).isFalse());
  }

  @Test
  void exportWritesTheSameFileAsTheEngineAndNeverOverwrites() throws IOException {
    Path copy = tmp.resolve("copy");
    Files.createDirectories(copy);
    try (Stream<Path> files = Files.list(store)) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    Path expected = tmp.resolve("engine.jsonl");
    try (DataWal kv = DataWal.open(copy)) {
      kv.exportJsonl(expected);
    }
    Path out = tmp.resolve("cli.jsonl");

    JarRunner.Result r = JarRunner.run("--json", "export", store.toString(), out.toString());

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(expected));
    assertThat(r.single("export").get("records_written").asLong()).isEqualTo(7);
    assertThat(r.single("export").get("bytes_written").asLong()).isEqualTo(Files.size(out));
    assertThat(tmp.resolve("cli.jsonl.tmp")).doesNotExist();

    JarRunner.Result again = JarRunner.run("export", store.toString(), out.toString());
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("refusing to overwrite");

    JarRunner.Result inside =
        JarRunner.run("export", store.toString(), store.resolve("x.jsonl").toString());
    assertThat(inside.code()).isEqualTo(1);
    assertThat(inside.err()).contains("inside the store directory");
  }

  @Test
  void compactWritesTheReferenceCompactionBytesIntoANewDirectoryOnly() throws IOException {
    Path source = tmp.resolve("compact-source");
    try (DataWal kv = DataWal.open(source)) {
      kv.put(utf8("keep"), utf8("final"));
      kv.put(utf8("keep"), utf8("old"));
      kv.put(utf8("keep"), utf8("final"));
      kv.put(utf8("gone"), utf8("nope"));
      kv.delete(utf8("gone"));
      kv.put(utf8("other"), utf8("value"));
    }
    Path target = tmp.resolve("compacted");

    JarRunner.Result r = JarRunner.run("--json", "compact", source.toString(), target.toString());

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(TestStores.sha256(target.resolve("00000001.dwal")))
        .as("docs/reference/format-v1.md: compact_to_output/00000001.dwal")
        .isEqualTo("f864e842cafb610f74c15761eb633b51560bc2b2eb2b24bb78af4ca085141151");
    JsonNode c = r.single("compact");
    assertThat(c.get("live_keys").asLong()).isEqualTo(2);
    assertThat(c.get("records_written").asLong()).isEqualTo(2);
    assertThat(c.get("bytes_written").asLong()).isEqualTo(75);
    try (Stream<Path> siblings = Files.list(tmp)) {
      assertThat(siblings.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.contains("compacting"));
    }

    JarRunner.Result notEmpty = JarRunner.run("compact", source.toString(), target.toString());
    assertThat(notEmpty.code()).isEqualTo(1);
    assertThat(notEmpty.err()).contains("is not an empty directory");
  }

  @Test
  void aMissingStoreIsAnErrorAndIsNeverCreated() throws IOException {
    Path missing = tmp.resolve("no").resolve("store");
    JarRunner.Result r = JarRunner.run("report", missing.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("no store at " + missing + ": no such directory");
    assertThat(tmp.resolve("no")).doesNotExist();

    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    JarRunner.Result notDir = JarRunner.run("scan", file.toString());
    assertThat(notDir.code()).isEqualTo(1);
    assertThat(notDir.err()).contains("is not a directory");
  }

  @Test
  void aUsageErrorNamesTheBadArgumentAndExitsWith1() {
    JarRunner.Result r = JarRunner.run("scan", store.toString(), "--limit", "many");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .contains("--limit must be a positive integer, got 'many'")
        .contains("usage: datawal scan <store>");
  }
}
