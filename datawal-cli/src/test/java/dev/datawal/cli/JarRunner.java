package dev.datawal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the real {@code datawal-cli.jar} (built by {@code package}, before these tests run) in a
 * child JVM and collects what it printed and its exit code.
 */
final class JarRunner {
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final Path JAR =
      Path.of(System.getProperty("datawal.cli.jar", "target/datawal-cli.jar")).toAbsolutePath();

  private JarRunner() {}

  /**
   * What one run printed, and its exit code.
   *
   * @param outBytes stdout exactly as written; {@code out} is it decoded as UTF-8
   */
  record Result(List<String> command, int code, String out, String err, byte[] outBytes) {

    /** Every stdout line parsed as JSON, each checked to name the schema and a kind. */
    List<JsonNode> json() {
      List<JsonNode> nodes = new ArrayList<>();
      for (String line : out.split("\n")) {
        if (!line.isEmpty()) {
          JsonNode node = JSON.readTree(line);
          assertThat(node.get("schema").asString()).as(line).isEqualTo("datawal.cli.v1");
          assertThat(node.has("kind")).as(line).isTrue();
          nodes.add(node);
        }
      }
      return nodes;
    }

    /** The JSON lines of {@code kind}. */
    List<JsonNode> json(String kind) {
      return json().stream().filter(n -> n.get("kind").asString().equals(kind)).toList();
    }

    /** The one JSON line of {@code kind}. */
    JsonNode single(String kind) {
      List<JsonNode> nodes = json(kind);
      assertThat(nodes).as("%s lines in %s", kind, this).hasSize(1);
      return nodes.get(0);
    }

    @Override
    public String toString() {
      return String.join(" ", command)
          + " -> exit "
          + code
          + "\nstdout:\n"
          + out
          + "stderr:\n"
          + err;
    }
  }

  /** {@code java -jar datawal-cli.jar args...}. */
  static Result run(String... args) {
    List<String> command = new ArrayList<>(javaCommand());
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(Arrays.asList(args));
    return exec(command);
  }

  /**
   * The {@code java} command with options for a quick start: these runs last well under a second.
   */
  static List<String> javaCommand() {
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        "-Xshare:auto");
  }

  /** Runs {@code command}, with a bound only so that a hung child cannot hang the build. */
  static Result exec(List<String> command) {
    return exec(command, env -> {});
  }

  /** Runs {@code command} in the environment {@code env} makes of this one's. */
  static Result exec(List<String> command, Consumer<Map<String, String>> env) {
    try {
      ProcessBuilder builder = new ProcessBuilder(command);
      env.accept(builder.environment());
      Process p = builder.start();
      p.getOutputStream().close();
      CompletableFuture<byte[]> out = drain(p.getInputStream());
      CompletableFuture<byte[]> err = drain(p.getErrorStream());
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + command);
      }
      byte[] stdout = out.join();
      return new Result(command, p.exitValue(), utf8(stdout), utf8(err.join()), stdout);
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running " + command, e);
    }
  }

  static Path jar() {
    assertThat(Files.isRegularFile(JAR)).as("the runnable jar %s (built by package)", JAR).isTrue();
    return JAR;
  }

  /** Reads a stream to its end on a thread of its own, so neither pipe can fill up and block. */
  private static CompletableFuture<byte[]> drain(InputStream in) {
    CompletableFuture<byte[]> bytes = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (in) {
                bytes.complete(in.readAllBytes());
              } catch (IOException e) {
                bytes.complete(utf8Bytes("(unreadable: " + e + ")"));
              }
            },
            "drain");
    reader.setDaemon(true);
    reader.start();
    return bytes;
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static byte[] utf8Bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
