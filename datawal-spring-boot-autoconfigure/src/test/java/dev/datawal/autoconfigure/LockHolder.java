package dev.datawal.autoconfigure;

import dev.datawal.RecordLog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Another process holding a store's lock: a child JVM that opens the store, says "locked", and
 * closes it when its stdin says so (or ends).
 */
public final class LockHolder implements AutoCloseable {
  private final Process process;
  private final BufferedReader out;

  private LockHolder(Process process) {
    this.process = process;
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Starts the child and returns once it holds the lock. */
  public static LockHolder start(Path dir) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                LockHolder.class.getName(),
                dir.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    LockHolder holder = new LockHolder(process);
    String line = holder.out.readLine();
    if (!"locked".equals(line)) {
      process.destroyForcibly();
      throw new IOException("lock holder did not start: " + line);
    }
    return holder;
  }

  public long pid() {
    return process.pid();
  }

  /**
   * Asks the child to close the store and exit once {@code ready} is counted down, without waiting;
   * if that takes over a minute, the child keeps the lock.
   */
  void releaseWhen(CountDownLatch ready) {
    Thread thread =
        new Thread(
            () -> {
              try {
                if (ready.await(60, TimeUnit.SECONDS)) {
                  process.getOutputStream().write('\n');
                  process.getOutputStream().flush();
                }
              } catch (InterruptedException | IOException e) {
                process.destroy();
              }
            });
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** The child: holds the lock until a line (or end of input) arrives. */
  public static void main(String[] args) throws IOException {
    try (RecordLog log = RecordLog.open(Path.of(args[0]))) {
      log.append("held".getBytes(StandardCharsets.UTF_8));
      System.out.println("locked");
      System.out.flush();
      System.in.read();
    }
  }
}
