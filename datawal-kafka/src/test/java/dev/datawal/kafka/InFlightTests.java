package dev.datawal.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.Record;
import dev.datawal.RecordType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The confirmed prefix: only records up to the first unacknowledged one may be checkpointed. */
class InFlightTests {
  private static Record record(long txid) {
    return new Record(RecordType.PUT, txid, new byte[] {1}, new byte[] {2}, 1, txid * 30, 30);
  }

  private static List<InFlight.Send> send(InFlight inFlight, int count) {
    List<InFlight.Send> sends = new ArrayList<>();
    for (int txid = 1; txid <= count; txid++) {
      sends.add(inFlight.add(record(txid), System.nanoTime()));
    }
    return sends;
  }

  @Test
  void acknowledgementsOutOfOrderConfirmOnlyTheUnbrokenPrefix() {
    InFlight inFlight = new InFlight(100, 1 << 20);
    List<InFlight.Send> sends = send(inFlight, 5);
    inFlight.completed(sends.get(1), null); // txid 2 (another partition) first
    inFlight.completed(sends.get(3), null);
    assertThat(inFlight.takeConfirmed()).as("txid 1 is not acknowledged").isNull();

    inFlight.completed(sends.get(0), null);
    assertThat(inFlight.takeConfirmed().txid).isEqualTo(2);
    assertThat(inFlight.head().txid).isEqualTo(3);

    inFlight.completed(sends.get(2), null);
    inFlight.completed(sends.get(4), null);
    assertThat(inFlight.takeConfirmed().txid).isEqualTo(5);
    assertThat(inFlight.isEmpty()).isTrue();
  }

  @Test
  void aFailureStopsTheConfirmedPrefixAndIsReportedWhereverItHappens() {
    InFlight inFlight = new InFlight(100, 1 << 20);
    List<InFlight.Send> sends = send(inFlight, 4);
    RuntimeException refused = new RuntimeException("refused");
    inFlight.completed(sends.get(2), refused); // txid 3 fails while 1 and 2 are still pending
    assertThat(inFlight.failure()).as("seen before the head resolves").isSameAs(refused);
    inFlight.completed(sends.get(0), null);
    inFlight.completed(sends.get(1), null);
    inFlight.completed(sends.get(3), null);
    assertThat(inFlight.takeConfirmed().txid).as("never past the failed record").isEqualTo(2);
    assertThat(inFlight.takeConfirmed()).isNull();
  }

  @Test
  void itIsFullAtTheRecordOrByteLimit() {
    InFlight byRecords = new InFlight(3, 1 << 20);
    send(byRecords, 2);
    assertThat(byRecords.isFull()).isFalse();
    send(byRecords, 1);
    assertThat(byRecords.isFull()).isTrue();

    InFlight byBytes = new InFlight(100, 60);
    List<InFlight.Send> sends = send(byBytes, 2); // 2 x 30 bytes
    assertThat(byBytes.isFull()).isTrue();
    byBytes.completed(sends.get(0), null);
    byBytes.takeConfirmed();
    assertThat(byBytes.isFull()).isFalse();
  }
}
