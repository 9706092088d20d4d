package dev.datawal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** JSON lines and the human rendering of bytes. */
class OutputFormatTests {
  @Test
  void jsonLinesNameTheSchemaAndKindFirstAndEscapeStrings() {
    String line =
        JsonLine.of("damage")
            .add("detail", "a \"quoted\" \\ path\n\t\u0001")
            .add("offset", 42)
            .add("torn_tail", false)
            .add("file", null)
            .addNullable("length", null)
            .toString();
    assertThat(line).startsWith("{\"schema\":\"datawal.cli.v1\",\"kind\":\"damage\",");
    JsonNode node = JsonMapper.builder().build().readTree(line);
    assertThat(node.get("detail").asString()).isEqualTo("a \"quoted\" \\ path\n\t\u0001");
    assertThat(node.get("offset").asLong()).isEqualTo(42);
    assertThat(node.get("torn_tail").asBoolean()).isFalse();
    assertThat(node.get("file").isNull()).isTrue();
    assertThat(node.get("length").isNull()).isTrue();
  }

  @Test
  void printableBytesShowAsTextAndOthersWithAnEncodingPrefix() {
    assertThat(BytesFormat.AUTO.field(TestStores.utf8("alpha"), true)).isEqualTo("alpha");
    assertThat(BytesFormat.AUTO.field(TestStores.utf8("foo bar"), true)).isEqualTo("\"foo bar\"");
    assertThat(BytesFormat.AUTO.field(TestStores.utf8("a\"b\\c"), true))
        .isEqualTo("\"a\\\"b\\\\c\"");
    assertThat(BytesFormat.AUTO.field(new byte[0], true)).isEqualTo("\"\"");
    assertThat(BytesFormat.AUTO.field(new byte[] {0, 1, (byte) 0xFF}, true)).isEqualTo("b64:AAH/");
    assertThat(BytesFormat.BASE64.field(TestStores.utf8("alpha"), true)).isEqualTo("b64:YWxwaGE=");
    assertThat(BytesFormat.HEX.field(new byte[] {(byte) 0xDE, (byte) 0xAD}, true))
        .isEqualTo("hex:dead");
  }

  @Test
  void utf8TextShowsAsTextAndNothingTextCanBeTakenForBinary() {
    assertThat(BytesFormat.AUTO.field(TestStores.utf8("clé"), true)).isEqualTo("clé");
    assertThat(BytesFormat.AUTO.field(TestStores.utf8("日本"), true)).isEqualTo("日本");
    assertThat(BytesFormat.AUTO.field(TestStores.utf8("café crème"), true))
        .isEqualTo("\"café crème\"");
    assertThat(BytesFormat.AUTO.field(TestStores.utf8("a\tb"), true)).isEqualTo("\"a\\tb\"");
    assertThat(BytesFormat.AUTO.field(TestStores.utf8("b64:AAH/"), true))
        .as("text that reads like base64")
        .isEqualTo("\"b64:AAH/\"");
    assertThat(BytesFormat.AUTO.field(TestStores.utf8("hex:00"), true)).isEqualTo("\"hex:00\"");
    assertThat(BytesFormat.AUTO.field(new byte[] {(byte) 0xC3}, true))
        .as("cut UTF-8")
        .isEqualTo("b64:ww==");
    assertThat(BytesFormat.AUTO.field(TestStores.utf8("a\u202Eb"), true))
        .as("a bidi override")
        .isEqualTo("b64:YeKArmI=");
    assertThat(BytesFormat.AUTO.field(TestStores.utf8("a\nb"), true)).isEqualTo("b64:YQpi");
    assertThat(BytesFormat.AUTO.field(TestStores.utf8("é".repeat(40)), true))
        .as("cut between characters, not inside one")
        .isEqualTo("é".repeat(32) + "...(80 bytes, 64 shown)");
    assertThat(BytesFormat.AUTO.field(TestStores.utf8("a" + "é".repeat(40)), true))
        .isEqualTo("a" + "é".repeat(31) + "...(81 bytes, 63 shown)");
  }

  @Test
  void longBytesAreCutAfter64WithAMarkerThatSaysSoUnlessTruncationIsOff() {
    byte[] hundred = TestStores.utf8("A".repeat(100));
    assertThat(BytesFormat.AUTO.field(hundred, true))
        .isEqualTo("A".repeat(64) + "...(100 bytes, 64 shown)");
    assertThat(BytesFormat.AUTO.field(hundred, false)).isEqualTo("A".repeat(100));
    assertThat(BytesFormat.AUTO.field(TestStores.utf8(" ".repeat(70)), true))
        .isEqualTo('"' + " ".repeat(64) + '"' + "...(70 bytes, 64 shown)");
    assertThat(BytesFormat.HEX.field(new byte[65], true))
        .isEqualTo("hex:" + "00".repeat(64) + "...(65 bytes, 64 shown)");
    assertThat(BytesFormat.BASE64.field(new byte[64], true))
        .as("64 bytes are not cut")
        .isEqualTo("b64:" + "A".repeat(86) + "==");
  }

  @Test
  void keysInRepairListsAreUtf8TextWhenPrintableElseHex() {
    assertThat(KeyText.of(TestStores.utf8("user:17"))).isEqualTo("user:17");
    assertThat(KeyText.of(TestStores.utf8("clé €"))).isEqualTo("\"clé €\"");
    assertThat(KeyText.of(TestStores.utf8("日本"))).isEqualTo("日本");
    assertThat(KeyText.of(new byte[0])).isEqualTo("\"\"");
    assertThat(KeyText.of(TestStores.utf8("hex:00"))).as("not read as hex").isEqualTo("\"hex:00\"");
    assertThat(KeyText.of(new byte[] {0, (byte) 0xFF, 1})).isEqualTo("hex:00ff01");
    assertThat(KeyText.of(new byte[] {(byte) 0xC3})).as("cut UTF-8").isEqualTo("hex:c3");
    assertThat(KeyText.of(TestStores.utf8("a\u202Eb")))
        .as("a bidi override")
        .isEqualTo("hex:61e280ae62");
    assertThat(KeyText.of(TestStores.utf8("a\nb"))).isEqualTo("hex:610a62");
    assertThat(KeyText.of(TestStores.utf8("é".repeat(70))))
        .isEqualTo("é".repeat(32) + "...(140 bytes, 64 shown)");
    assertThat(KeyText.of(new byte[70]))
        .isEqualTo("hex:" + "00".repeat(64) + "...(70 bytes, 64 shown)");
  }
}
