package dev.datawal.sample;

import dev.datawal.LimitExceededException;
import dev.datawal.Record;
import dev.datawal.RecordIterator;
import dev.datawal.RecordLog;
import dev.datawal.RecordRef;
import dev.datawal.RecoveryReport;
import dev.datawal.WriterPoisonedException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Appends events to the log and reads them back. An append is acknowledged once durable. */
@RestController
@RequestMapping("/events")
class EventController {
  private static final int MAX_LIMIT = 1000;

  private final RecordLog eventLog;

  EventController(RecordLog eventLog) {
    this.eventLog = eventLog;
  }

  /** An event as the API shows it: the payload as UTF-8 text. */
  record Event(long txid, long segment, long offset, String payload) {}

  @PostMapping(consumes = "*/*")
  ResponseEntity<Event> append(@RequestBody byte[] body) {
    RecordRef ref = eventLog.append(body);
    eventLog.fsync(); // the 201 below promises the event survives a crash
    Event event =
        new Event(
            ref.txid(), ref.segment(), ref.offset(), new String(body, StandardCharsets.UTF_8));
    return ResponseEntity.created(URI.create("/events?fromTxid=" + ref.txid())).body(event);
  }

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

  @ExceptionHandler(IllegalArgumentException.class)
  ProblemDetail badRequest(IllegalArgumentException e) {
    return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
  }

  @ExceptionHandler(LimitExceededException.class)
  ProblemDetail tooLarge(LimitExceededException e) {
    return ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE, e.getMessage());
  }

  @ExceptionHandler(WriterPoisonedException.class)
  ProblemDetail unavailable(WriterPoisonedException e) {
    return ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
  }
}
