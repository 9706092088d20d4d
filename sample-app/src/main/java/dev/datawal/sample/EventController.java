package dev.datawal.sample;

import dev.datawal.LogFollower;
import dev.datawal.Record;
import dev.datawal.RecordLog;
import dev.datawal.RecordRef;
import dev.datawal.RecoveryReport;
import jakarta.servlet.http.HttpServletRequest;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Appends events to the application's own {@link RecordLog} and reads them back in pages from a
 * txid. An append is acknowledged (201) once it is durable; reads return durable events only, so
 * every event they show has been acknowledged or will be.
 */
@RestController
@RequestMapping("/events")
class EventController {
  private static final int MAX_LIMIT = 1000;

  private final RecordLog eventLog;
  private final int maxBodyBytes;

  EventController(RecordLog eventLog, SampleProperties properties) {
    this.eventLog = eventLog;
    this.maxBodyBytes = properties.maxBodyBytes();
  }

  /** An event as the API shows it: the payload as UTF-8 text. */
  record Event(long txid, long segment, long offset, String payload) {}

  @PostMapping(consumes = MediaType.ALL_VALUE)
  ResponseEntity<Event> append(InputStream body, HttpServletRequest request) {
    byte[] payload = Bodies.read(body, request.getContentLengthLong(), maxBodyBytes);
    RecordRef ref = eventLog.append(payload);
    eventLog.fsync(); // the 201 below promises the event survives a crash, under any fsync policy
    Event event =
        new Event(
            ref.txid(), ref.segment(), ref.offset(), new String(payload, StandardCharsets.UTF_8));
    return ResponseEntity.created(URI.create("/events?fromTxid=" + ref.txid())).body(event);
  }

  /**
   * A page of events, and where the next page starts.
   *
   * @param events the events, in log order
   * @param next the txid to ask for next ({@code fromTxid}): one past the last event of this page,
   *     or, for an empty page, the txid asked for
   */
  record Page(List<Event> events, long next) {}

  /**
   * Up to {@code limit} durable events from txid {@code fromTxid} on, in log order, read from that
   * position: the log's follower finds the segment holding {@code fromTxid} (one frame header per
   * segment) and reads on from there, never from the start of the log. The page also ends once its
   * payloads reach {@code sample.max-body-size}, so they stay under twice that (each event this API
   * took is at most that size).
   *
   * <p>When the page ended before the log's durable end (it is full), a {@code Link: <...>;
   * rel="next"} header gives the next page; without it the client has caught up, and asks for
   * {@code next} again later for new events.
   */
  @GetMapping
  ResponseEntity<Page> read(
      @RequestParam(defaultValue = "1") long fromTxid,
      @RequestParam(defaultValue = "100") int limit,
      HttpServletRequest request) {
    if (fromTxid < 1) {
      throw new IllegalArgumentException("fromTxid must be at least 1, not " + fromTxid);
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException(
          "limit must be between 1 and " + MAX_LIMIT + ", not " + limit);
    }
    List<Event> events = new ArrayList<>();
    long payloadBytes = 0;
    boolean caughtUp = false;
    long next;
    try (LogFollower follower = eventLog.follow(fromTxid)) {
      while (events.size() < limit && payloadBytes < maxBodyBytes) {
        Record r = follower.poll(Duration.ZERO);
        if (r == null) {
          caughtUp = true;
          break;
        }
        events.add(
            new Event(
                r.txid(),
                r.segment(),
                r.offset(),
                new String(r.payload(), StandardCharsets.UTF_8)));
        payloadBytes += r.payload().length;
      }
      next = follower.nextTxid();
    } catch (InterruptedException e) {
      // A zero timeout never waits, so only a server stopping interrupts it.
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading events", e);
    }
    ResponseEntity.BodyBuilder response = ResponseEntity.ok();
    if (!caughtUp) {
      response.header(
          HttpHeaders.LINK,
          "<"
              + request.getContextPath()
              + "/events?fromTxid="
              + next
              + "&limit="
              + limit
              + ">; rel=\"next\"");
    }
    return response.body(new Page(events, next));
  }

  @GetMapping("/recovery")
  RecoveryReport recovery() {
    return eventLog.recoveryReport();
  }
}
