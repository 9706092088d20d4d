package dev.datawal.cli;

import static dev.datawal.cli.TestStores.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.Entry;
import dev.datawal.RecordLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Whole segment files lost, cut, swapped, copied or moved, and a damaged manifest, through the real
 * jar: every frame left passes its CRC, yet verify, report and repair must say that the store lost
 * data, name the segment and what is wrong, and repair must name exactly the keys the loss changed
 * and leave a store that opens with what the model says is left.
 */
class LostDataCommandTests {
  @TempDir Path tmp;

  /**
   * A problem verify must list.
   *
   * @param kinds the kinds it may have (a swap shows as a changed or a shorter segment, by sizes)
   * @param segment its segment, {@code null} for the manifest
   */
  record Problem(Set<String> kinds, Long segment) {
    static Problem of(String kind, Long segment) {
      return new Problem(Set.of(kind), segment);
    }

    boolean matches(JsonNode line) {
      Long s = line.get("segment").isNull() ? null : line.get("segment").asLong();
      return kinds.contains(line.get("problem_kind").asString())
          && java.util.Objects.equals(s, segment);
    }
  }

  /**
   * What one damage leaves.
   *
   * @param problems problems verify must list (it may list more: the txid-order runs a swap makes)
   * @param survives the records of the model that a repair keeps
   */
  record Expected(List<Problem> problems, Predicate<ModelStore.Written> survives) {}

  /**
   * One class of damage.
   *
   * @param build makes the store in the directory given
   * @param damage damages its files by hand and says what that leaves
   */
  record Damage(
      String name, Function<Path, ModelStore> build, Function<ModelStore, Expected> damage) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> damages() {
    return Stream.of(
            new Damage(
                "a sealed segment deleted",
                ModelStore::build,
                m -> {
                  long s = m.busiestSealedSegment();
                  delete(m.segment(s));
                  return new Expected(
                      List.of(Problem.of("SEGMENT_MISSING", s)), w -> w.segment() != s);
                }),
            new Damage(
                "a sealed segment emptied",
                ModelStore::build,
                m -> {
                  long s = m.busiestSealedSegment();
                  TestStores.truncate(m.segment(s), 0);
                  return new Expected(
                      List.of(Problem.of("SEGMENT_SHORTER", s)), w -> w.segment() != s);
                }),
            new Damage(
                "a sealed segment cut at a frame boundary",
                ModelStore::build,
                m -> {
                  long s = m.busiestSealedSegment();
                  List<ModelStore.Written> records = m.in(s);
                  long cut = records.get(records.size() / 2).offset();
                  TestStores.truncate(m.segment(s), cut);
                  return new Expected(
                      List.of(Problem.of("SEGMENT_SHORTER", s)),
                      w -> w.segment() != s || w.offset() < cut);
                }),
            new Damage(
                "two sealed segments swapped",
                ModelStore::build,
                m -> {
                  List<Long> ids = m.segments();
                  long a = ids.get(1);
                  long b = ids.get(4);
                  Path spare = m.dir().resolve("spare");
                  move(m.segment(a), spare);
                  move(m.segment(b), m.segment(a));
                  move(spare, m.segment(b));
                  // File a now holds b's records; those of a and of the segments between have
                  // lower txids, so the repair moves them out.
                  return new Expected(
                      List.of(
                          new Problem(
                              Set.of("SEGMENT_CHANGED", "SEGMENT_SHORTER", "SEGMENT_UNEXPECTED"),
                              a)),
                      w -> w.segment() < a || w.segment() >= b);
                }),
            new Damage(
                "a sealed segment copied under a higher id, the new last segment",
                ModelStore::build,
                m -> {
                  List<Long> ids = m.segments();
                  long copy = ids.get(ids.size() - 1) + 1;
                  copy(m.segment(ids.get(2)), m.segment(copy));
                  return new Expected(List.of(Problem.of("TXID_ORDER", copy)), w -> true);
                }),
            new Damage(
                "a sealed segment moved into a gap that compaction left",
                LostDataCommandTests::compactedStore,
                m -> {
                  List<Long> ids = m.segments();
                  long gap = firstGap(ids);
                  long moved = ids.get(ids.size() - 2); // the last sealed segment
                  move(m.segment(moved), m.segment(gap));
                  return new Expected(
                      List.of(
                          Problem.of("SEGMENT_UNEXPECTED", gap),
                          Problem.of("SEGMENT_MISSING", moved)),
                      w -> w.segment() != moved);
                }),
            new Damage(
                "the last segment cut at a frame boundary after a clean close",
                ModelStore::build,
                m -> {
                  List<Long> ids = m.segments();
                  long last = ids.get(ids.size() - 1);
                  List<ModelStore.Written> records = m.in(last);
                  assertThat(records).as("records in the last segment").hasSizeGreaterThan(1);
                  long cut = records.get(records.size() / 2).offset();
                  TestStores.truncate(m.segment(last), cut);
                  return new Expected(
                      List.of(Problem.of("SEGMENT_SHORTER", last)),
                      w -> w.segment() != last || w.offset() < cut);
                }),
            new Damage(
                "a damaged manifest",
                ModelStore::build,
                m -> {
                  Path manifest = m.dir().resolve("datawal.manifest");
                  byte[] bytes = TestStores.read(manifest);
                  TestStores.patch(manifest, 40, (byte) (bytes[40] ^ 0x10));
                  return new Expected(List.of(Problem.of("MANIFEST_DAMAGED", null)), w -> true);
                }))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("damages")
  void verifyReportAndRepairSayWhatIsLostAndRepairLeavesWhatTheModelSays(Damage d) {
    ModelStore model = d.build().apply(tmp.resolve("store"));
    Path store = model.dir();
    Expected expected = d.damage().apply(model);
    Map<String, String> before = TestStores.snapshot(store);
    Map<String, String> left = model.replay(expected.survives());
    ModelStore.KeyDiff keys = model.diff(left);

    // verify: every problem, with its segment and kind; exit 3.
    JarRunner.Result verify = JarRunner.run("--json", "verify", store.toString());
    assertThat(verify.code()).as(verify.toString()).isEqualTo(3);
    List<JsonNode> problems = verify.json("problem");
    for (Problem p : expected.problems()) {
      assertThat(problems).as("%s in %s", p, verify).anyMatch(p::matches);
    }
    assertThat(verify.single("verify").get("problems").asLong()).isEqualTo(problems.size());
    assertThat(verify.json("damage")).as("every frame passes its CRC").isEmpty();
    JarRunner.Result verifyText = JarRunner.run("verify", store.toString());
    assertThat(verifyText.code()).isEqualTo(3);
    assertThat(verifyText.out()).contains(textOf(problems.get(0)));
    assertThat(verifyText.err()).contains("store problem(s) make recovery refuse this store");

    // report: refused, naming the segment (or the manifest) and what is wrong.
    JarRunner.Result report = JarRunner.run("report", store.toString());
    assertThat(report.code()).as(report.toString()).isEqualTo(3);
    assertThat(report.out()).isEmpty();
    assertThat(report.err()).contains("recovery refuses to open the store");
    assertThat(problems).anyMatch(p -> report.err().contains(textOf(p)));

    // repair, dry run: the same problems as losses and quarantines, and exactly the model's keys.
    JarRunner.Result dry = JarRunner.run("--json", "repair", store.toString());
    assertThat(dry.code()).as(dry.toString()).isEqualTo(3);
    assertThat(planned(dry)).isEqualTo(kindsAndSegments(problems));
    assertThat(keys(dry, "lost")).as("lost keys in %s", dry).isEqualTo(keys.lost());
    assertThat(keys(dry, "reverted")).as("reverted keys").isEqualTo(keys.reverted());
    assertThat(keys(dry, "came_back")).as("keys come back").isEqualTo(keys.cameBack());
    JsonNode plan = dry.single("repair");
    assertThat(plan.get("keys_named").asBoolean()).isTrue();
    assertThat(plan.get("keys_lost").asLong()).isEqualTo(keys.lost().size());
    assertThat(plan.get("losses").asLong()).isEqualTo(dry.json("loss").size());
    JarRunner.Result dryText = JarRunner.run("repair", store.toString());
    assertThat(dryText.out()).contains("keys the repair changes (compared with keydir.snapshot");
    if (keys.any()) {
      String first =
          !keys.lost().isEmpty()
              ? "  lost (no value any more): " + keys.lost().size() + "\n    " + keys.lost().first()
              : !keys.reverted().isEmpty()
                  ? "  set back to an older value: "
                      + keys.reverted().size()
                      + "\n    "
                      + keys.reverted().first()
                  : "  come back (deleted or never written, and live again): "
                      + keys.cameBack().size()
                      + "\n    "
                      + keys.cameBack().first();
      assertThat(dryText.out()).contains(first);
    } else {
      assertThat(dryText.out()).contains("none, every key keeps its value");
    }
    for (JsonNode loss : dry.json("loss")) {
      assertThat(dryText.out()).contains("  accept loss " + where(loss));
    }
    assertThat(TestStores.snapshot(store))
        .as("read-only and dry runs change nothing")
        .isEqualTo(before);

    // repair --yes: the store opens with what the model says is left, and verifies clean.
    JarRunner.Result repair = JarRunner.run("--json", "repair", store.toString(), "--yes");
    assertThat(repair.code()).as(repair.toString()).isZero();
    assertThat(repair.single("repair").get("store_opens").asBoolean()).isTrue();
    assertThat(keys(repair, "lost")).isEqualTo(keys.lost());
    assertThat(ModelStore.open(store)).as("the store after the repair").isEqualTo(left);
    JarRunner.Result again = JarRunner.run("--json", "verify", store.toString());
    assertThat(again.code()).as(again.toString()).isZero();
    assertThat(again.json("problem")).isEmpty();
  }

  @Test
  void withoutASnapshotRepairSaysTheKeysCannotBeNamedAndWhatTheLossesHeld() {
    Path store =
        TestStores.rawStore(
            tmp.resolve("store"), List.of(List.of("a", "b"), List.of("c", "d", "e"), List.of("f")));
    delete(TestStores.segment(store, 2)); // txids 3 to 5

    JarRunner.Result text = JarRunner.run("repair", store.toString());
    JarRunner.Result json = JarRunner.run("--json", "repair", store.toString());

    assertThat(text.code()).as(text.toString()).isEqualTo(3);
    assertThat(text.out())
        .contains("  accept loss segment 2: missing segment (the segment is gone")
        .contains("keys the repair changes: cannot be named: the store has no usable key-directory")
        .contains("the losses held 3 records (segment 2: 3, txids 3 to 5)")
        .contains("keys changed           not known (no key-directory snapshot)");
    JsonNode summary = json.single("repair");
    assertThat(summary.get("keys_named").asBoolean()).isFalse();
    assertThat(summary.get("keys_lost").isNull()).isTrue();
    assertThat(summary.get("lost_records").asLong()).isEqualTo(3);
    assertThat(json.json("key")).isEmpty();

    JarRunner.Result repair = JarRunner.run("repair", store.toString(), "--yes");
    assertThat(repair.code()).as(repair.toString()).isZero();
    try (RecordLog log = RecordLog.open(store)) {
      assertThat(log.scan())
          .extracting(r -> new String(r.payload(), StandardCharsets.UTF_8))
          .containsExactly("a", "b", "f");
    }
    assertThat(JarRunner.run("verify", store.toString()).code()).isZero();
  }

  @Test
  void textListsTheFirstHundredKeysOfEachKindAndJsonListsEveryOne() {
    ModelStore model =
        ModelStore.build(
            tmp.resolve("store"),
            store -> {
              for (int i = 0; i < 150; i++) {
                store.put(utf8(String.format("k-%03d", i)), utf8("v"));
              }
              store.log().rotate();
              store.put(utf8("kept"), utf8("v"));
            });
    List<Long> ids = model.segments();
    for (long id : ids.subList(0, ids.size() - 1)) {
      delete(model.segment(id)); // every sealed segment: every k-* key is lost
    }

    JarRunner.Result text = JarRunner.run("repair", model.dir().toString());
    JarRunner.Result json = JarRunner.run("--json", "repair", model.dir().toString());

    assertThat(text.out())
        .contains("  lost (no value any more): 150\n    k-000\n    k-001\n")
        .contains("    k-099\n    ... and 50 more (--json lists every key)\n")
        .doesNotContain("k-100");
    assertThat(keys(json, "lost")).hasSize(150).contains("k-149").doesNotContain("kept");
    assertThat(json.single("repair").get("keys_lost").asLong()).isEqualTo(150);
  }

  @Test
  void aSealedSegmentCutInsideAFrameShowsTheCutFrameAndTheLostBytes() {
    Path store =
        TestStores.rawStore(tmp.resolve("store"), List.of(List.of("a", "b"), List.of("c")));
    TestStores.truncate(TestStores.segment(store, 1), 58 - 5); // inside "b", which starts at 29

    JarRunner.Result verify = JarRunner.run("--json", "verify", store.toString());
    JarRunner.Result report = JarRunner.run("report", store.toString());

    assertThat(verify.code()).as(verify.toString()).isEqualTo(3);
    JsonNode damage = verify.single("damage");
    assertThat(damage.get("damage_kind").asString()).isEqualTo("TRUNCATED");
    assertThat(damage.get("offset").asLong()).isEqualTo(29);
    JsonNode problem = verify.single("problem");
    assertThat(problem.get("problem_kind").asString()).isEqualTo("SEGMENT_SHORTER");
    assertThat(problem.get("offset").asLong()).isEqualTo(53);
    assertThat(problem.get("detail").asString()).contains("5 bytes at its end are gone");
    assertThat(report.code()).isEqualTo(3);
    assertThat(report.err()).contains("shortened segment in segment 1 at offset 53");

    JarRunner.Result repair = JarRunner.run("repair", store.toString(), "--yes");
    assertThat(repair.code()).as(repair.toString()).isZero();
    try (RecordLog log = RecordLog.open(store)) {
      assertThat(log.scan())
          .extracting(r -> new String(r.payload(), StandardCharsets.UTF_8))
          .containsExactly("a", "c");
    }
    assertThat(JarRunner.run("verify", store.toString()).code()).isZero();
  }

  /** A store whose compaction deleted segments, leaving gaps in the ids. */
  private static ModelStore compactedStore(Path dir) {
    return ModelStore.build(
        dir,
        store -> {
          for (int i = 0; i < 300; i++) {
            store.put(utf8("old-" + (i % 40)), utf8("value-" + i));
          }
          for (int i = 0; i < 40; i++) {
            store.writeBatch(List.of(Entry.delete(utf8("old-" + i))));
          }
          for (int s = 0; s < 2; s++) { // two sealed segments of live keys after the old ones
            store.log().rotate();
            for (int i = 0; i < 30; i++) {
              store.put(utf8("new-" + s + "-" + i), utf8("v" + s + "-" + i));
            }
          }
          store.log().rotate();
          store.compact();
        });
  }

  private static long firstGap(List<Long> ids) {
    for (long id = ids.get(0) + 1; id < ids.get(ids.size() - 1); id++) {
      if (!ids.contains(id)) {
        return id;
      }
    }
    assertThat(ids.get(0)).as("compaction left a gap in %s", ids).isGreaterThan(1);
    return ids.get(0) - 1;
  }

  /** How verify's text names a problem line: "missing segment in segment 5". */
  private static String textOf(JsonNode problem) {
    String phrase =
        dev.datawal.CorruptionKind.valueOf(problem.get("problem_kind").asString()).phrase();
    return problem.get("segment").isNull()
        ? phrase + " (" + problem.get("file").asString()
        : phrase + " in segment " + problem.get("segment").asLong();
  }

  /** "segment 5: missing segment" as the repair's text names a loss. */
  private static String where(JsonNode loss) {
    String phrase = dev.datawal.CorruptionKind.valueOf(loss.get("damage_kind").asString()).phrase();
    if (loss.get("segment").isNull()) {
      return "datawal.manifest: " + phrase;
    }
    long offset = loss.get("offset").asLong();
    return "segment "
        + loss.get("segment").asLong()
        + (offset > 0 ? ", offset " + offset : "")
        + ": "
        + phrase;
  }

  /** The kinds and segments of a plan's losses and of what it moves out for store problems. */
  private static List<String> planned(JarRunner.Result plan) {
    List<String> planned = new ArrayList<>();
    for (JsonNode loss : plan.json("loss")) {
      planned.add(loss.get("damage_kind").asString() + "@" + loss.get("segment").asString());
    }
    for (JsonNode q : plan.json("quarantine")) {
      planned.add(q.get("damage_kind").asString() + "@" + q.get("segment").asString());
    }
    return planned.stream().sorted().toList();
  }

  private static List<String> kindsAndSegments(List<JsonNode> problems) {
    return problems.stream()
        .map(p -> p.get("problem_kind").asString() + "@" + p.get("segment").asString())
        .sorted()
        .toList();
  }

  private static TreeSet<String> keys(JarRunner.Result r, String change) {
    TreeSet<String> keys = new TreeSet<>();
    for (JsonNode k : r.json("key")) {
      if (k.get("change").asString().equals(change)) {
        keys.add(new String(Base64.getDecoder().decode(k.get("key_base64").asString())));
      }
    }
    return keys;
  }

  private static void delete(Path file) {
    try {
      Files.delete(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void move(Path from, Path to) {
    try {
      Files.move(from, to);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copy(Path from, Path to) {
    try {
      Files.copy(from, to);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
