package dev.datawal.spring.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import dev.datawal.RecordLog;
import dev.datawal.RecordRef;
import dev.datawal.RecordType;
import dev.datawal.spring.json.EventDecodingException.Reason;
import dev.datawal.spring.json.TestEvents.Explosive;
import dev.datawal.spring.json.TestEvents.Flags;
import dev.datawal.spring.json.TestEvents.OrderPlaced;
import dev.datawal.spring.json.TestEvents.OrderShipped;
import dev.datawal.spring.json.TestEvents.PaymentEvent;
import dev.datawal.spring.json.TestEvents.Refunded;
import dev.datawal.spring.json.TestEvents.ShopEvent;
import dev.datawal.spring.json.TestEvents.Unrelated;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

class JsonEventLogTests {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  @TempDir Path dir;

  private static RecordRef raw(RecordLog log, String payload) {
    return log.appendRecord(RecordType.RAW, new byte[0], payload.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theEnvelopeNamesTheTypeAndHoldsTheEventAsPlainJson() {
    try (RecordLog log = RecordLog.open(dir)) {
      JsonEventLog events = new JsonEventLog(log, MAPPER);
      events.append("order-1", new OrderPlaced("o1", 42));
      events.append(new OrderShipped("o1", "ups"));

      List<dev.datawal.Record> records = log.scan();
      assertThat(new String(records.get(0).payload(), StandardCharsets.UTF_8))
          .isEqualTo("{\"type\":\"order-placed\",\"data\":{\"orderId\":\"o1\",\"amount\":42}}");
      assertThat(new String(records.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("order-1");
      assertThat(new String(records.get(1).payload(), StandardCharsets.UTF_8))
          .isEqualTo(
              "{\"type\":\"dev.datawal.spring.json.TestEvents$OrderShipped\","
                  + "\"data\":{\"orderId\":\"o1\",\"carrier\":\"ups\"}}");
      assertThat(records.get(1).key()).isEmpty();
    }
  }

  @Test
  void aLogOfMixedTypesReplaysIntoTheRightClassesAfterReopening() {
    try (RecordLog log = RecordLog.open(dir)) {
      JsonEventLog events = new JsonEventLog(log, MAPPER);
      assertThat(events.append("o1", new OrderPlaced("o1", 42)).txid()).isEqualTo(1);
      assertThat(events.append("o1", new OrderShipped("o1", "ups")).txid()).isEqualTo(2);
      events.append("o2", new OrderPlaced("o2", 7));
    }
    try (RecordLog log = RecordLog.open(dir)) {
      // A new instance knows no names yet: @JsonTypeName names must be registered, class names
      // resolve by themselves.
      JsonEventLog events =
          new JsonEventLog(log, MAPPER).registerType("order-placed", OrderPlaced.class);
      List<ShopEvent> replayed = new ArrayList<>();
      List<Long> txids = new ArrayList<>();
      long count =
          events.replay(
              0,
              ShopEvent.class,
              e -> {
                replayed.add(e.event());
                txids.add(e.txid());
              });

      assertThat(count).isEqualTo(3);
      assertThat(txids).containsExactly(1L, 2L, 3L);
      assertThat(replayed)
          .containsExactly(
              new OrderPlaced("o1", 42), new OrderShipped("o1", "ups"), new OrderPlaced("o2", 7));
      List<StoredEvent<ShopEvent>> read = events.read(0, 10, ShopEvent.class);
      assertThat(read).extracting(StoredEvent::key).containsExactly("o1", "o1", "o2");
      assertThat(read)
          .extracting(StoredEvent::typeName)
          .containsExactly("order-placed", OrderShipped.class.getName(), "order-placed");
    }
  }

  @Test
  void anUnregisteredTypeNameIsAnUnknownTypeNotAGuess() {
    try (RecordLog log = RecordLog.open(dir)) {
      new JsonEventLog(log, MAPPER).append(new OrderPlaced("o1", 1));
      StoredEvent<ShopEvent> event =
          new JsonEventLog(log, MAPPER).read(1, 1, ShopEvent.class).get(0);

      assertThat(event.isDecoded()).isFalse();
      assertThatThrownBy(event::event)
          .isInstanceOf(EventDecodingException.class)
          .hasMessageContaining("type \"order-placed\"")
          .satisfies(
              e ->
                  assertThat(((EventDecodingException) e).reason()).isEqualTo(Reason.UNKNOWN_TYPE));
      // Asking for the annotated class itself needs no registration.
      assertThat(new JsonEventLog(log, MAPPER).read(1, 1, OrderPlaced.class).get(0).event())
          .isEqualTo(new OrderPlaced("o1", 1));
    }
  }

  @Test
  void aNameDeclaredWithJsonSubTypesOnTheRequestedTypeNeedsNoRegistration() {
    try (RecordLog log = RecordLog.open(dir)) {
      new JsonEventLog(log, MAPPER).append(new Refunded("p1"));

      assertThat(new JsonEventLog(log, MAPPER).read(0, 1, PaymentEvent.class).get(0).event())
          .isEqualTo(new Refunded("p1"));
    }
  }

  @Test
  void badRecordsInTheMiddleFailAloneNamingTxidSegmentAndOffset() {
    try (RecordLog log = RecordLog.open(dir)) {
      JsonEventLog events = new JsonEventLog(log, MAPPER);
      events.append(new OrderPlaced("o1", 1));
      RecordRef badJson = raw(log, "{\"type\":\"order-placed\",\"data\":{\"orderId\":");
      RecordRef unknown = raw(log, "{\"type\":\"com.example.NoSuchEvent\",\"data\":{}}");
      RecordRef unrelated =
          raw(log, "{\"type\":\"" + Unrelated.class.getName() + "\",\"data\":{\"text\":\"x\"}}");
      RecordRef badData = raw(log, "{\"type\":\"order-placed\",\"data\":{\"amount\":\"many\"}}");
      events.append(new OrderShipped("o1", "dhl"));

      List<StoredEvent<ShopEvent>> read = events.read(0, 100, ShopEvent.class);

      assertThat(read).hasSize(6);
      assertThat(read.get(0).event()).isEqualTo(new OrderPlaced("o1", 1));
      assertFailure(read.get(1), badJson, Reason.NOT_AN_ENVELOPE);
      assertFailure(read.get(2), unknown, Reason.UNKNOWN_TYPE);
      assertFailure(read.get(3), unrelated, Reason.NOT_ASSIGNABLE);
      assertFailure(read.get(4), badData, Reason.BAD_DATA);
      assertThat(read.get(5).event()).isEqualTo(new OrderShipped("o1", "dhl"));
      assertThat(read.get(2).typeName()).isEqualTo("com.example.NoSuchEvent");

      List<Long> replayedOk = new ArrayList<>();
      events.replay(
          0,
          ShopEvent.class,
          e -> {
            if (e.isDecoded()) {
              replayedOk.add(e.txid());
            }
          });
      assertThat(replayedOk).containsExactly(1L, 6L);
    }
  }

  private static void assertFailure(StoredEvent<?> event, RecordRef ref, Reason reason) {
    assertThat(event.txid()).isEqualTo(ref.txid());
    assertThat(event.ref()).isEqualTo(ref);
    assertThat(event.failure()).get().extracting(EventDecodingException::reason).isEqualTo(reason);
    assertThatThrownBy(event::event)
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("txid " + ref.txid())
        .hasMessageContaining("segment " + ref.segment())
        .hasMessageContaining("offset " + ref.offset())
        .hasMessageContaining(reason.name());
  }

  @Test
  void aRecordNotWrittenByTheFacadeIsAClearDecodingError() {
    try (RecordLog log = RecordLog.open(dir)) {
      RecordRef bytes = log.append(new byte[] {(byte) 0xff, 0, 1});
      RecordRef array = raw(log, "[1,2,3]");
      RecordRef noType = raw(log, "{\"data\":{}}");
      List<StoredEvent<ShopEvent>> read =
          new JsonEventLog(log, MAPPER).read(0, 10, ShopEvent.class);

      assertFailure(read.get(0), bytes, Reason.NOT_AN_ENVELOPE);
      assertThat(read.get(0).failure().get()).hasMessageContaining("is not JSON");
      assertFailure(read.get(1), array, Reason.NOT_AN_ENVELOPE);
      assertFailure(read.get(2), noType, Reason.NOT_AN_ENVELOPE);
      assertThat(read.get(2).failure().get()).hasMessageContaining("not an envelope");
    }
  }

  @Test
  void nullDataIsBadDataNotANullEvent() {
    try (RecordLog log = RecordLog.open(dir)) {
      RecordRef nullData =
          raw(log, "{\"type\":\"" + OrderPlaced.class.getName() + "\",\"data\":null}");
      List<StoredEvent<ShopEvent>> read =
          new JsonEventLog(log, MAPPER).read(0, 10, ShopEvent.class);

      assertThat(read.get(0).isDecoded()).isFalse();
      assertFailure(read.get(0), nullData, Reason.BAD_DATA);
      assertThat(read.get(0).failure().get()).hasMessageContaining("data is null");
    }
  }

  @Test
  void dataInTheLogNeverInitializesAClassThatIsNotTheRequestedType() {
    try (RecordLog log = RecordLog.open(dir)) {
      raw(log, "{\"type\":\"" + Explosive.class.getName() + "\",\"data\":{\"payload\":\"x\"}}");
      JsonEventLog events = new JsonEventLog(log, MAPPER);

      StoredEvent<Unrelated> asUnrelated = events.read(0, 1, Unrelated.class).get(0);
      assertThat(asUnrelated.failure())
          .get()
          .extracting(EventDecodingException::reason)
          .isEqualTo(Reason.NOT_ASSIGNABLE);
      StoredEvent<Object> asObject = events.read(0, 1, Object.class).get(0);
      assertThat(asObject.failure())
          .get()
          .extracting(EventDecodingException::reason)
          .isEqualTo(Reason.UNKNOWN_TYPE);
      assertThat(asObject.failure().get()).hasMessageContaining("registerType");
      assertThat(Flags.explosiveInitialized).isFalse();
    }
  }

  @Test
  void aTooGeneralRequestedTypeDecodesRegisteredTypes() {
    try (RecordLog log = RecordLog.open(dir)) {
      new JsonEventLog(log, MAPPER).append(new OrderShipped("o9", "post"));
      JsonEventLog events =
          new JsonEventLog(log, MAPPER)
              .registerType(OrderShipped.class.getName(), OrderShipped.class);

      assertThat(events.read(0, 1, Object.class).get(0).event())
          .isEqualTo(new OrderShipped("o9", "post"));
    }
  }

  @Test
  void aTypeNameCannotNameTwoClasses() {
    try (RecordLog log = RecordLog.open(dir)) {
      JsonEventLog events =
          new JsonEventLog(log, MAPPER).registerType("order-placed", Unrelated.class);

      assertThatThrownBy(() -> events.append(new OrderPlaced("o1", 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("order-placed")
          .hasMessageContaining(Unrelated.class.getName());
      assertThat(log.lastTxid()).isZero();
    }
  }

  @Test
  void readStartsAtTheTxidAndStopsAtTheLimit() {
    try (RecordLog log =
        RecordLog.open(dir, DatawalOptions.builder().maxSegmentSize(300).build())) {
      JsonEventLog events = new JsonEventLog(log, MAPPER);
      for (int i = 1; i <= 20; i++) {
        events.append(new OrderPlaced("o" + i, i));
      }
      assertThat(log.activeSegment()).isGreaterThan(3); // the read seeks across segments

      List<StoredEvent<OrderPlaced>> read = events.read(12, 5, OrderPlaced.class);
      assertThat(read).extracting(StoredEvent::txid).containsExactly(12L, 13L, 14L, 15L, 16L);
      assertThat(read.get(0).event()).isEqualTo(new OrderPlaced("o12", 12));
      assertThat(events.read(18, 100, OrderPlaced.class)).hasSize(3);
      assertThat(events.read(21, 100, OrderPlaced.class)).isEmpty();
      assertThat(events.read(1, 0, OrderPlaced.class)).isEmpty();
      assertThatThrownBy(() -> events.read(-1, 1, OrderPlaced.class))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void followReturnsOnlyDurableEventsAsTheyAreAppended() throws InterruptedException {
    try (RecordLog log =
        RecordLog.open(dir, DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build())) {
      JsonEventLog events = new JsonEventLog(log, MAPPER);
      try (EventFollower<ShopEvent> follower = events.follow(0, ShopEvent.class)) {
        assertThat(follower.poll(Duration.ofMillis(20))).isNull();
        events.append(new OrderPlaced("o1", 5));
        assertThat(follower.poll(Duration.ofMillis(50))).isNull(); // written, not durable
        // ... but read sees it, as a scan would
        assertThat(events.read(0, 10, ShopEvent.class)).hasSize(1);

        log.fsync();
        StoredEvent<ShopEvent> event = follower.poll(Duration.ofSeconds(5));
        assertThat(event).isNotNull();
        assertThat(event.event()).isEqualTo(new OrderPlaced("o1", 5));
        assertThat(follower.nextTxid()).isEqualTo(2);
      }
    }
  }
}
