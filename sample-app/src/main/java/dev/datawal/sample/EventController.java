package dev.datawal.sample;

import dev.datawal.Record;
import dev.datawal.RecordIterator;
import dev.datawal.RecordLog;
import dev.datawal.RecordRef;
import dev.datawal.RecoveryReport;
import jakarta.servlet.http.HttpServletRequest;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Appends events to the application's own {@link RecordLog} and reads them back. An append is
 * acknowledged (201) once it is durable.
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

  /** Up to {@code limit} events from txid {@code fromTxid} on, in log order. */
  @GetMapping
  List<Event> read(
      @RequestParam(defaultValue = "1") long fromTxid,
      @RequestParam(defaultValue = "100") int limit) {
    if (fromTxid < 1 || limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException(
          "fromTxid must be at least 1 and limit between 1 and " + MAX_LIMIT);
    }
    List<Event> events = new ArrayList<>();
    try (RecordIterator it = eventLog.scanIter()) {
      while (it.hasNext() && events.size() < limit) {
        Record r = it.next();
        if (r.txid() >= fromTxid) {
          events.add(
              new Event(
                  r.txid(),
                  r.segment(),
                  r.offset(),
                  new String(r.payload(), StandardCharsets.UTF_8)));
        }
      }
    }
    return events;
  }

  @GetMapping("/recovery")
  RecoveryReport recovery() {
    return eventLog.recoveryReport();
  }
}
