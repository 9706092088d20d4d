package dev.datawal.powerloss;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The reference workload driven over the sample app's REST API, as a client sees it: N threads,
 * thread t sending ops t, t + N, t + 2N, ... as {@code PUT /kv/<key hex>} (value as the body) or
 * {@code DELETE /kv/<key hex>}, each waiting for its response. The oracle is written by the client:
 * "I seq" before a request is sent, and "P"/"D" (forced to disk) only after a 2xx response, so the
 * claim checked is that <em>a 2xx from the application means the write survives</em>. A thread
 * stops at its first failed request (the app died or refused); its op then stays issued and
 * unacknowledged.
 *
 * <p>The oracle is format v1 (see the sample app's {@code OracleFile}) with {@code
 * key_encoding=hex} in its header: the store's keys are the UTF-8 (ASCII) hex text of the reference
 * keys, since a URL path carries text; the {@link Validator} maps them back.
 *
 * <p>Thread-safe.
 */
final class HttpLoad implements AutoCloseable {
  private static final HexFormat HEX = HexFormat.of();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final URI base;
  private final ReferenceWorkload workload;
  private final int concurrency;
  private final FileChannel oracle;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicReference<String> firstStop = new AtomicReference<>();
  private volatile boolean running = true;

  /**
   * Creates (or truncates) the oracle and writes its header, durably.
   *
   * @param base the app's base URL, such as {@code http://localhost:8080}
   */
  HttpLoad(URI base, Path oracleFile, long seed, int concurrency, int keyLength, int valueLength)
      throws IOException {
    this.base = base;
    this.workload = new ReferenceWorkload(seed, keyLength, valueLength);
    this.concurrency = concurrency;
    this.oracle =
        FileChannel.open(
            oracleFile,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
    line(
        String.format(
            "# datawal-workload-oracle v1 seed=%d ops=0 key_len=%d value_len=%d concurrency=%d"
                + " key_encoding=hex",
            seed, keyLength, valueLength, concurrency),
        true);
  }

  /** Starts the client threads. */
  void start() {
    for (int t = 0; t < concurrency; t++) {
      int first = t;
      Thread thread = new Thread(() -> drive(first), "http-load-" + t);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
  }

  private void drive(long first) {
    for (long seq = first; running; seq += concurrency) {
      line("I " + seq, false);
      String key = HEX.formatHex(workload.key(seq));
      boolean delete = ReferenceWorkload.isDelete(seq);
      HttpRequest.Builder request =
          HttpRequest.newBuilder(base.resolve("/kv/" + key)).timeout(REQUEST_TIMEOUT);
      request =
          delete
              ? request.DELETE()
              : request
                  .header("Content-Type", "application/octet-stream")
                  .PUT(HttpRequest.BodyPublishers.ofByteArray(workload.value(seq)));
      int status;
      try {
        status = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
      } catch (IOException e) {
        stopped("op " + seq + ": " + e);
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stopped("op " + seq + ": interrupted");
        return;
      }
      if (status / 100 != 2) {
        stopped("op " + seq + ": HTTP " + status);
        return;
      }
      line(
          delete
              ? "D " + seq + " " + key
              : "P " + seq + " " + key + " " + HEX.formatHex(workload.value(seq)),
          true);
    }
  }

  private void stopped(String why) {
    firstStop.compareAndSet(null, why);
  }

  /** Why the first thread stopped by itself, or null. */
  String firstStop() {
    return firstStop.get();
  }

  /** Stops the threads after their current request, and waits for them. */
  void stop() throws InterruptedException {
    running = false;
    for (Thread thread : threads) {
      thread.join(REQUEST_TIMEOUT.toMillis() + 5_000);
    }
  }

  private synchronized void line(String text, boolean force) {
    ByteBuffer bytes = ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.US_ASCII));
    try {
      while (bytes.hasRemaining()) {
        oracle.write(bytes);
      }
      if (force) {
        oracle.force(false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the oracle", e);
    }
  }

  @Override
  public void close() throws IOException {
    oracle.close();
  }
}
