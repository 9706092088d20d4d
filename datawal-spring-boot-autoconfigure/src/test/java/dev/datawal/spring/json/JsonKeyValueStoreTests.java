package dev.datawal.spring.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.DataWal;
import dev.datawal.RecordRef;
import dev.datawal.spring.json.TestEvents.OrderPlaced;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class JsonKeyValueStoreTests {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  @TempDir Path dir;

  @Test
  void valuesRoundTripAsTheirTypeAcrossAReopen() {
    try (DataWal store = DataWal.open(dir)) {
      JsonKeyValueStore kv = new JsonKeyValueStore(store, MAPPER);
      kv.put("order:1", new OrderPlaced("o1", 10));
      kv.put("order:2", new OrderPlaced("o2", 20));
      kv.put("order:1", new OrderPlaced("o1", 11));
      kv.put("config", Map.of("retries", 3));
      kv.put("ünïcode-kéy", List.of("a", "b"));
      assertThat(kv.delete("order:2")).isTrue();
      assertThat(kv.delete("order:2")).isFalse();
    }
    try (DataWal store = DataWal.open(dir)) {
      JsonKeyValueStore kv = new JsonKeyValueStore(store, MAPPER);
      assertThat(kv.get("order:1", OrderPlaced.class)).contains(new OrderPlaced("o1", 11));
      assertThat(kv.get("order:2", OrderPlaced.class)).isEmpty();
      assertThat(kv.get("config", JsonNode.class).orElseThrow().get("retries").asInt())
          .isEqualTo(3);
      assertThat(kv.get("ünïcode-kéy", List.class)).contains(List.of("a", "b"));
      assertThat(kv.containsKey("order:1")).isTrue();
      assertThat(kv.containsKey("order:2")).isFalse();
      assertThat(kv.keys()).containsExactly("config", "order:1", "ünïcode-kéy");
      assertThat(kv.size()).isEqualTo(3);
    }
  }

  @Test
  void valuesAreStoredAsPlainJsonSoTheExportIsReadable() throws Exception {
    try (DataWal store = DataWal.open(dir)) {
      new JsonKeyValueStore(store, MAPPER).put("order:1", new OrderPlaced("o1", 10));
      assertThat(
              new String(
                  store.get("order:1".getBytes(StandardCharsets.UTF_8)).orElseThrow(),
                  StandardCharsets.UTF_8))
          .isEqualTo("{\"orderId\":\"o1\",\"amount\":10}");
      Path export = dir.resolveSibling(dir.getFileName() + ".jsonl");
      store.exportJsonl(export);
      JsonNode line = MAPPER.readTree(Files.readString(export));
      assertThat(
              new String(
                  Base64.getDecoder().decode(line.get("value_b64").asString()),
                  StandardCharsets.UTF_8))
          .isEqualTo("{\"orderId\":\"o1\",\"amount\":10}");
      Files.delete(export);
    }
  }

  @Test
  void aValueThatIsNotJsonOfTheTypeIsAnErrorNamingTheKeyAndWhereItLies() {
    try (DataWal store = DataWal.open(dir)) {
      JsonKeyValueStore kv = new JsonKeyValueStore(store, MAPPER);
      kv.put("fine", new OrderPlaced("o1", 1));
      RecordRef raw =
          store.put("broken".getBytes(StandardCharsets.UTF_8), new byte[] {'{', 'x', 0x7f});
      RecordRef wrongShape = kv.put("shape", List.of(1, 2));

      assertThatThrownBy(() -> kv.get("broken", OrderPlaced.class))
          .isInstanceOf(ValueDecodingException.class)
          .hasMessageContaining("\"broken\"")
          .hasMessageContaining("txid " + raw.txid())
          .hasMessageContaining("segment " + raw.segment())
          .hasMessageContaining("offset " + raw.offset())
          .satisfies(
              e -> {
                ValueDecodingException v = (ValueDecodingException) e;
                assertThat(v.key()).isEqualTo("broken");
                assertThat(v.ref()).isEqualTo(raw);
              });
      assertThatThrownBy(() -> kv.get("shape", OrderPlaced.class))
          .isInstanceOf(ValueDecodingException.class)
          .hasMessageContaining("offset " + wrongShape.offset())
          .hasMessageContaining(OrderPlaced.class.getName());
      assertThat(kv.get("fine", OrderPlaced.class)).contains(new OrderPlaced("o1", 1));
    }
  }

  @Test
  void nullKeysAndValuesAreRefused() {
    try (DataWal store = DataWal.open(dir)) {
      JsonKeyValueStore kv = new JsonKeyValueStore(store, MAPPER);
      assertThatThrownBy(() -> kv.put("k", null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> kv.put(null, "v")).isInstanceOf(NullPointerException.class);
      assertThat(store.size()).isZero();
    }
  }
}
