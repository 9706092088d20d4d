package dev.datawal.sample;

import dev.datawal.DataWal;
import dev.datawal.RecordRef;
import jakarta.servlet.http.HttpServletRequest;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Key/value API over the auto-configured {@link DataWal}: the key is the rest of the path after
 * {@code /kv/} (UTF-8, percent-decoded; it may contain {@code /}; see {@link KeyPath} for the paths
 * refused), the value is the raw request body. Every write is durable before the response is sent
 * (the starter's default fsync policy, {@code always}; concurrent requests share fsyncs).
 */
@RestController
@RequestMapping("/kv")
class KvController {
  private final DataWal store;
  private final int maxKeyBytes;
  private final int maxBodyBytes;

  KvController(DataWal store, SampleProperties properties) {
    this.store = store;
    this.maxKeyBytes = properties.maxKeyBytes();
    this.maxBodyBytes = properties.maxBodyBytes();
  }

  /** Where a write went, and its txid (the order of writes in the log). */
  record Written(long txid, long segment, long offset) {}

  /** 200 with the value's bytes, or a 404 problem if the key is not live. */
  @GetMapping(path = "/**", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
  ResponseEntity<byte[]> get(HttpServletRequest request) {
    byte[] key = key(request);
    return store
        .get(key)
        .map(ResponseEntity::ok)
        .orElseThrow(
            () ->
                new ErrorResponseException(
                    HttpStatus.NOT_FOUND,
                    Problems.of(
                        HttpStatus.NOT_FOUND,
                        "no value for key '"
                            + new String(key, StandardCharsets.UTF_8)
                            + "': it was never written, or was deleted"),
                    null));
  }

  /** Sets the key to the request body; 200 once it is durable. */
  @PutMapping(path = "/**", consumes = MediaType.ALL_VALUE)
  Written put(InputStream body, HttpServletRequest request) {
    byte[] k = key(request);
    RecordRef ref = store.put(k, Bodies.read(body, request.getContentLengthLong(), maxBodyBytes));
    return new Written(ref.txid(), ref.segment(), ref.offset());
  }

  /**
   * Deletes the key; 204 once the delete is durable, whether or not the key was live (a tombstone
   * is written either way, so deletes are idempotent).
   */
  @DeleteMapping("/**")
  ResponseEntity<Void> delete(HttpServletRequest request) {
    store.delete(key(request));
    return ResponseEntity.noContent().build();
  }

  /**
   * The key's UTF-8 bytes, from the raw path: Spring's decoded path has lost any {@code ;...} and
   * cannot tell {@code %2F} from {@code /}.
   */
  private byte[] key(HttpServletRequest request) {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    return KeyPath.key(path, "/kv", maxKeyBytes);
  }
}
