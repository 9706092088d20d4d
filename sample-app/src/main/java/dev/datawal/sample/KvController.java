package dev.datawal.sample;

import dev.datawal.DataWal;
import dev.datawal.RecordRef;
import jakarta.servlet.http.HttpServletRequest;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Key/value API over the auto-configured {@link DataWal}: the key is the rest of the path after
 * {@code /kv/} (UTF-8, percent-decoded; it may contain {@code /}), the value is the raw request
 * body. Every write is durable before the response is sent (the starter's default fsync policy,
 * {@code always}; concurrent requests share fsyncs).
 */
@RestController
@RequestMapping("/kv")
class KvController {
  private final DataWal store;
  private final int maxKeyBytes;

  KvController(DataWal store, SampleProperties properties) {
    this.store = store;
    this.maxKeyBytes = properties.maxKeyBytes();
  }

  /** Where a write went, and its txid (the order of writes in the log). */
  record Written(long txid, long segment, long offset) {}

  /** 200 with the value's bytes, or 404 if the key is not live. */
  @GetMapping(path = "/{*key}", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
  ResponseEntity<byte[]> get(@PathVariable String key) {
    return store
        .get(key(key))
        .map(ResponseEntity::ok)
        .orElseGet(() -> ResponseEntity.notFound().build());
  }

  /** Sets the key to the request body; 200 once it is durable. */
  @PutMapping(path = "/{*key}", consumes = MediaType.ALL_VALUE)
  Written put(@PathVariable String key, InputStream body, HttpServletRequest request) {
    byte[] k = key(key);
    RecordRef ref = store.put(k, Bodies.read(body, request.getContentLengthLong()));
    return new Written(ref.txid(), ref.segment(), ref.offset());
  }

  /**
   * Deletes the key; 204 once the delete is durable, whether or not the key was live (a tombstone
   * is written either way, so deletes are idempotent).
   */
  @DeleteMapping("/{*key}")
  ResponseEntity<Void> delete(@PathVariable String key) {
    store.delete(key(key));
    return ResponseEntity.noContent().build();
  }

  /** The key's UTF-8 bytes; {@code {*key}} captures the rest of the path with a leading slash. */
  private byte[] key(String captured) {
    String key = captured.startsWith("/") ? captured.substring(1) : captured;
    if (key.isEmpty()) {
      throw new IllegalArgumentException("key must not be empty: use /kv/{key}");
    }
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > maxKeyBytes) {
      throw new IllegalArgumentException(
          "key of "
              + bytes.length
              + " UTF-8 bytes exceeds the limit of "
              + maxKeyBytes
              + " bytes (sample.max-key-bytes)");
    }
    return bytes;
  }
}
