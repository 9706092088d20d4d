package dev.datawal.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The key a {@code /kv/...} path names, or why it names none. */
class KeyPathTests {

  private static String key(String path) {
    return new String(KeyPath.key(path, "/kv", 1024), StandardCharsets.UTF_8);
  }

  @Test
  void theKeyIsThePathAfterThePrefixPercentDecodedAsUtf8() {
    assertThat(key("/kv/users/42")).isEqualTo("users/42");
    assertThat(key("/kv/%C3%A9t%C3%A9")).isEqualTo("été");
    assertThat(key("/kv/a%3Bb=c")).isEqualTo("a;b=c");
    assertThat(key("/kv/a%2Fb")).isEqualTo("a/b");
    assertThat(key("/kv/a%2fb")).isEqualTo("a/b");
    assertThat(key("/kv/a+b%20c%25")).isEqualTo("a+b c%");
    assertThat(key("/kv/.a/b.")).isEqualTo(".a/b.");
  }

  @Test
  void aSemicolonIsRefusedNamingWhereItIsAndHowToEncodeIt() {
    assertThatThrownBy(() -> key("/kv/a;b=c"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'/kv/a;b=c' has a ';' at index 5")
        .hasMessageContaining("%3B");
    assertThatThrownBy(() -> key("/kv;x=1/a")).hasMessageContaining("';' at index 3");
  }

  @Test
  void emptyKeysAndEmptyOrDotSegmentsAreRefused() {
    assertThatThrownBy(() -> key("/kv")).hasMessage("key must not be empty: use /kv/{key}");
    assertThatThrownBy(() -> key("/kv/")).hasMessage("key must not be empty: use /kv/{key}");
    for (String path : new String[] {"/kv//a", "/kv/a//b", "/kv/a/", "/kv/a%2F", "/kv/a%2F%2Fb"}) {
      assertThatThrownBy(() -> key(path)).as(path).hasMessageContaining("has an empty segment");
    }
    for (String path : new String[] {"/kv/.", "/kv/a/../b", "/kv/a/%2E%2E/b", "/kv/a/%2e"}) {
      assertThatThrownBy(() -> key(path))
          .as(path)
          .hasMessageContaining("segment: clients and servers resolve '.' and '..'");
    }
  }

  @Test
  void malformedEscapesBytesThatAreNotUtf8AndRawNonAsciiAreRefused() {
    assertThatThrownBy(() -> key("/kv/a%zz"))
        .hasMessageContaining("malformed percent-encoding at index 1 of the key 'a%zz'");
    assertThatThrownBy(() -> key("/kv/a%2")).hasMessageContaining("malformed percent-encoding");
    assertThatThrownBy(() -> key("/kv/%FF"))
        .hasMessageContaining("is not UTF-8 once percent-decoded");
    assertThatThrownBy(() -> key("/kv/é")).hasMessageContaining("not printable ASCII at index 0");
  }

  @Test
  void aKeyOverTheLimitIsRefusedWithItsLength() {
    assertThat(KeyPath.key("/kv/" + "k".repeat(4), "/kv", 4)).hasSize(4);
    assertThatThrownBy(() -> KeyPath.key("/kv/%C3%A9%C3%A9%C3%A9", "/kv", 5))
        .hasMessage("key of 6 UTF-8 bytes exceeds the limit of 5 bytes (sample.max-key-bytes)");
  }
}
