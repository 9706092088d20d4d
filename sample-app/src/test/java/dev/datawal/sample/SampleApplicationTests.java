package dev.datawal.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DataWal;
import dev.datawal.RecordLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sample app over real HTTP: the key/value API on the auto-configured store, events in the
 * application's own log beside it, and the Actuator endpoints.
 */
@SampleAppTest
class SampleApplicationTests extends SampleHttp {
  @Autowired DataWal store;
  @Autowired RecordLog eventLog;

  @Test
  void putGetAndDeleteAKeyWithItsBytes() throws Exception {
    byte[] value = {0, 1, (byte) 0xFF, 'x'};
    HttpResponse<String> put = send(request("/kv/users/42").PUT(BodyPublishers.ofByteArray(value)));
    assertThat(put.statusCode()).isEqualTo(200);
    assertThat(put.body()).contains("\"txid\":");
    assertThat(store.get("users/42".getBytes(StandardCharsets.UTF_8))).contains(value);

    HttpResponse<byte[]> got =
        http.send(request("/kv/users/42").build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.body()).isEqualTo(value);
    assertThat(got.headers().firstValue("Content-Type")).contains("application/octet-stream");

    assertThat(send(request("/kv/users/42").DELETE()).statusCode()).isEqualTo(204);
    assertThat(send(request("/kv/users/42")).statusCode()).isEqualTo(404);
    assertThat(send(request("/kv/users/42").DELETE()).statusCode()).isEqualTo(204);
  }

  @Test
  void keysAreUtf8AndFormBodiesAreStoredAsSent() throws Exception {
    HttpResponse<String> put =
        send(
            request("/kv/%C3%A9t%C3%A9")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .PUT(BodyPublishers.ofString("a=1&b=2")));
    assertThat(put.statusCode()).isEqualTo(200);
    assertThat(store.get("été".getBytes(StandardCharsets.UTF_8)))
        .hasValueSatisfying(
            v -> assertThat(new String(v, StandardCharsets.UTF_8)).isEqualTo("a=1&b=2"));
  }

  private byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * PUT, GET and DELETE of {@code path}, all answered for {@code key} (the JDK client sends the
   * path as given).
   */
  private void roundTrips(String path, String key) throws Exception {
    HttpResponse<String> put = send(request(path).PUT(BodyPublishers.ofString(path)));
    assertThat(put.statusCode()).as(path).isEqualTo(200);
    assertThat(store.get(utf8(key)))
        .as(path)
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(utf8(path)));
    HttpResponse<String> got = send(request(path));
    assertThat(got.statusCode()).as(path).isEqualTo(200);
    assertThat(got.body()).as(path).isEqualTo(path);
    assertThat(send(request(path).DELETE()).statusCode()).as(path).isEqualTo(204);
    assertThat(store.containsKey(utf8(key))).as(path).isFalse();
  }

  @Test
  void keysRoundTripExactly() throws Exception {
    roundTrips("/kv/a%3Bb=c", "a;b=c");
    roundTrips("/kv/a%2Fb", "a/b");
    roundTrips("/kv/%C3%A9", "é");
    roundTrips("/kv/a%20b+c%25", "a b+c%");
    send(request("/kv/dir/file").PUT(BodyPublishers.ofString("one key")));
    assertThat(send(request("/kv/dir%2Ffile")).body()).isEqualTo("one key");
    store.delete(utf8("dir/file"));
  }

  @Test
  void pathsWhoseKeyCouldNotRoundTripAre400ForEveryMethod() throws Exception {
    store.put(utf8("a"), utf8("not this one"));
    String[][] refused = {
      {"/kv/a;b=c", "has a ';' at index 5"},
      {"/kv/a;jsessionid=1", "percent-encode a ';' that is part of the key as %3B"},
      {"/kv/a//b", "has an empty segment"},
      {"/kv/a/", "has an empty segment"},
      {"/kv/a/../b", "has a '..' segment"},
      {"/kv/a/%2E/b", "has a '.' segment"},
      {"/kv/", "key must not be empty"},
    };
    for (String[] path : refused) {
      for (String method : new String[] {"PUT", "GET", "DELETE"}) {
        HttpResponse<String> response =
            send(request(path[0]).method(method, BodyPublishers.ofString("v")));
        assertThat(response.statusCode()).as(method + " " + path[0]).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type"))
            .as(method + " " + path[0])
            .contains("application/problem+json");
        assertThat(response.body()).as(method + " " + path[0]).contains(path[1]);
      }
    }
    assertThat(store.get(utf8("a")))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(utf8("not this one")));
    assertThat(store.containsKey(utf8("a;b=c"))).isFalse();
    store.delete(utf8("a"));
  }

  @Test
  void aMissingKeyIs404WithAProblemDetail() throws Exception {
    HttpResponse<String> missing = send(request("/kv/never-written"));
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(missing.body()).contains("no value for key 'never-written'");
  }

  @Test
  void anEmptyOrOverLimitKeyIs400WithAProblemDetail() throws Exception {
    for (String path : new String[] {"/kv/", "/kv"}) {
      HttpResponse<String> empty = send(request(path).PUT(BodyPublishers.ofString("v")));
      assertThat(empty.statusCode()).as(path).isEqualTo(400);
      assertThat(empty.headers().firstValue("Content-Type")).contains("application/problem+json");
      assertThat(empty.body()).contains("key must not be empty");
    }
    String longKey = "k".repeat(1025);
    HttpResponse<String> tooLong = send(request("/kv/" + longKey));
    assertThat(tooLong.statusCode()).isEqualTo(400);
    assertThat(tooLong.body()).contains("key of 1025 UTF-8 bytes exceeds the limit of 1024 bytes");
  }

  /**
   * Sends a raw HTTP/1.1 request (so the test sees what the server answers, whatever a client
   * library would do with a connection closed while it still sends), half-closes, and returns the
   * whole response.
   */
  private String raw(String head, byte[]... body) throws IOException {
    try (Socket socket = new Socket("localhost", port)) {
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      for (byte[] part : body) {
        out.write(part);
      }
      out.flush();
      socket.shutdownOutput();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /**
   * Sends {@code head} and {@code body} over a raw connection that stays open (so a server that
   * waited for more of the body would never answer: the read times out and the test fails), and
   * returns the response's status line and headers.
   */
  private String headOfAnswerTo(String head, byte[] body) throws IOException {
    try (Socket socket = new Socket("localhost", port)) {
      socket.setSoTimeout(30_000); // a server reading the whole body never answers
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder answer = new StringBuilder();
      while (answer.indexOf("\r\n\r\n") < 0) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        answer.append((char) b);
      }
      return answer.toString();
    }
  }

  private static final int LIMIT = 1024 * 1024; // sample.max-body-size's default, 1MB

  @Test
  void aBodyDeclaredOverTheLimitIs413BeforeAnyOfItIsSent() throws Exception {
    for (String path : new String[] {"PUT /kv/big", "POST /events"}) {
      // The body is never sent: the server must answer from the headers alone, and without
      // inviting the body with a "100 Continue".
      String answer =
          headOfAnswerTo(
              path
                  + " HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: "
                  + (LIMIT + 1)
                  + "\r\n\r\n",
              new byte[0]);
      assertThat(answer).as(path).startsWith("HTTP/1.1 413");
    }
    String declared =
        raw(
            "PUT /kv/big HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
                + (LIMIT + 1)
                + "\r\n\r\n");
    assertThat(declared)
        .contains(
            "body of 1048577 bytes exceeds the limit of 1048576 bytes (sample.max-body-size)");
    assertThat(store.containsKey(utf8("big"))).isFalse();
  }

  @Test
  void aChunkedBodyOverTheLimitIs413AfterReadingOneBytePastIt() throws Exception {
    // One chunk declared four times the limit, of which only limit + 1 bytes are sent: the server
    // must stop reading there and answer.
    String answer =
        headOfAnswerTo(
            "PUT /kv/big HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(4 * LIMIT)
                + "\r\n",
            new byte[LIMIT + 1]);
    assertThat(answer).startsWith("HTTP/1.1 413");

    String streamed =
        raw(
            "PUT /kv/big HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(LIMIT + 1)
                + "\r\n",
            new byte[LIMIT + 1],
            "\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(streamed)
        .startsWith("HTTP/1.1 413")
        .contains("body of more than 1048576 bytes exceeds the limit of 1048576 bytes");
    assertThat(store.containsKey(utf8("big"))).isFalse();
  }

  @Test
  void aBodyOfExactlyTheLimitIsStored() throws Exception {
    HttpResponse<String> fits =
        send(request("/kv/big").PUT(BodyPublishers.ofByteArray(new byte[LIMIT])));
    assertThat(fits.statusCode()).isEqualTo(200);
    assertThat(store.get(utf8("big"))).hasValueSatisfying(v -> assertThat(v).hasSize(LIMIT));
    store.delete(utf8("big"));

    String chunked =
        raw(
            "POST /events HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(LIMIT)
                + "\r\n",
            new byte[LIMIT],
            "\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(chunked).startsWith("HTTP/1.1 201");
  }

  @Test
  void appendedEventsAreReadBackInOrderFromTheirOwnLog() throws Exception {
    HttpResponse<String> first =
        send(request("/events").POST(BodyPublishers.ofString("order placed")));
    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(first.body()).contains("\"payload\":\"order placed\"");
    long firstTxid = eventLog.lastTxid();
    send(request("/events").POST(BodyPublishers.ofString("order shipped")));

    HttpResponse<String> all = send(request("/events?fromTxid=" + firstTxid));
    assertThat(all.statusCode()).isEqualTo(200);
    assertThat(all.body()).containsSubsequence("order placed", "order shipped");
    assertThat(send(request("/events?fromTxid=" + (firstTxid + 1))).body())
        .doesNotContain("order placed")
        .contains("order shipped");
    assertThat(eventLog.dir().resolve("00000001.dwal")).isNotEmptyFile();
    assertThat(eventLog.dir().getParent()).isEqualTo(store.log().dir().getParent());
    assertThat(eventLog.dir()).isNotEqualTo(store.log().dir());
  }

  /** One page: its events' payloads, its {@code next}, and its Link rel=next, if any. */
  private record Page(List<String> payloads, long next, String link) {}

  private Page page(String path) throws Exception {
    HttpResponse<String> response = send(request(path));
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    JsonNode body = JsonMapper.shared().readTree(response.body());
    List<String> payloads = new ArrayList<>();
    body.path("events").forEach(event -> payloads.add(event.path("payload").asString()));
    String link = response.headers().firstValue("Link").orElse(null);
    return new Page(payloads, body.path("next").asLong(), link);
  }

  @Test
  void pagingThroughEventsReturnsEachOnceInOrder() throws Exception {
    long from = eventLog.lastTxid() + 1;
    List<String> appended = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      String payload = "event " + i;
      assertThat(send(request("/events").POST(BodyPublishers.ofString(payload))).statusCode())
          .isEqualTo(201);
      appended.add(payload);
    }
    List<String> read = new ArrayList<>();
    String path = "/events?fromTxid=" + from + "&limit=5";
    int pages = 0;
    while (path != null) {
      Page page = page(path);
      read.addAll(page.payloads());
      pages++;
      assertThat(page.next()).isEqualTo(from + read.size());
      // A full page links to the next; a short one is the end, and has no link.
      if (page.payloads().size() == 5) {
        assertThat(page.link())
            .isEqualTo("</events?fromTxid=" + page.next() + "&limit=5>; rel=\"next\"");
        path = page.link().substring(1, page.link().indexOf('>'));
      } else {
        assertThat(page.link()).isNull();
        path = null;
      }
    }
    assertThat(read).isEqualTo(appended);
    assertThat(pages).isEqualTo(5);

    // Caught up: an empty page, whose next is where to ask again, and no link.
    Page end = page("/events?fromTxid=" + (from + 23));
    assertThat(end.payloads()).isEmpty();
    assertThat(end.next()).isEqualTo(from + 23);
    assertThat(end.link()).isNull();
    send(request("/events").POST(BodyPublishers.ofString("later")));
    assertThat(page("/events?fromTxid=" + end.next()).payloads()).containsExactly("later");
  }

  @Test
  void aPageEndsOnceItsPayloadsReachTheBodyLimit() throws Exception {
    long from = eventLog.lastTxid() + 1;
    for (int i = 0; i < 3; i++) {
      send(request("/events").POST(BodyPublishers.ofString("x".repeat(LIMIT / 2 + 1))));
    }
    Page first = page("/events?fromTxid=" + from);
    assertThat(first.payloads()).hasSize(2);
    assertThat(first.link())
        .isEqualTo("</events?fromTxid=" + (from + 2) + "&limit=100>; rel=\"next\"");
    assertThat(page("/events?fromTxid=" + first.next()).payloads()).hasSize(1);
  }

  @Test
  void badEventQueriesGetA400ProblemSayingWhatWasWrong() throws Exception {
    String[][] bad = {
      {"/events?limit=0", "limit must be between 1 and 1000, not 0"},
      {"/events?limit=1001", "limit must be between 1 and 1000, not 1001"},
      {"/events?fromTxid=0", "fromTxid must be at least 1, not 0"},
      {"/events?fromTxid=first", "Failed to convert 'fromTxid' with value: 'first'"},
    };
    for (String[] query : bad) {
      HttpResponse<String> response = send(request(query[0]));
      assertThat(response.statusCode()).as(query[0]).isEqualTo(400);
      assertThat(response.headers().firstValue("Content-Type"))
          .contains("application/problem+json");
      assertThat(response.body()).as(query[0]).contains(query[1]);
    }
  }

  @Test
  void actuatorShowsTheStoreItsHealthAndItsMetrics() throws Exception {
    assertThat(send(request("/events/recovery")).body()).contains("\"recordsReplayed\"");
    HttpResponse<String> health = send(request("/actuator/health"));
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"status\":\"UP\"").contains("\"datawal\":{");
    send(request("/kv/metered").PUT(HttpRequest.BodyPublishers.ofString("v")));
    HttpResponse<String> store = send(request("/actuator/datawal"));
    assertThat(store.statusCode()).isEqualTo(200);
    assertThat(store.body())
        .contains("\"mode\":\"kv\"")
        .contains("\"policy\":\"ALWAYS\"")
        .contains("\"recovery\":{");
    HttpResponse<String> prometheus = send(request("/actuator/prometheus"));
    assertThat(prometheus.statusCode()).isEqualTo(200);
    assertThat(prometheus.body())
        .contains("jvm_memory_used_bytes")
        .contains("datawal_appends_records_total{mode=\"kv\"")
        .contains("datawal_fsync_seconds_count");
  }

  /** The sample's settings map no write operation over HTTP: not compact, fsync nor verify. */
  @Test
  void theDatawalEndpointIsReadOnly() throws Exception {
    assertThat(send(request("/actuator/datawal")).statusCode()).isEqualTo(200);
    for (String action : new String[] {"compact", "fsync", "verify"}) {
      HttpResponse<String> write =
          send(request("/actuator/datawal/" + action).POST(BodyPublishers.noBody()));
      assertThat(write.statusCode()).as(action).isEqualTo(404);
      assertThat(write.headers().firstValue("Content-Type"))
          .as(action)
          .contains("application/problem+json");
    }
  }
}
