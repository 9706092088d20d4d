package dev.datawal.kafka;

import dev.datawal.RecordType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** What a consumer of the relayed topic does with it, as docs/scaling.md tells consumers to. */
final class Relayed {
  private Relayed() {}

  static long txid(ConsumerRecord<byte[], byte[]> record) {
    return RelayHeaders.txid(record.headers());
  }

  static List<Long> txids(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream().map(Relayed::txid).toList();
  }

  /**
   * Drops repeats: per partition, every record whose txid is not above the highest applied from
   * that partition. Records must be grouped by partition, each partition in offset order.
   */
  static List<ConsumerRecord<byte[], byte[]>> once(List<ConsumerRecord<byte[], byte[]>> records) {
    Map<Integer, Long> highest = new HashMap<>();
    List<ConsumerRecord<byte[], byte[]>> once = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      long txid = txid(record);
      if (txid > highest.getOrDefault(record.partition(), 0L)) {
        highest.put(record.partition(), txid);
        once.add(record);
      }
    }
    return once;
  }

  /** The key/value view: the latest Put of each key, keys with a later tombstone removed. */
  static Map<String, String> keyValueView(List<ConsumerRecord<byte[], byte[]>> records) {
    Map<String, String> view = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : once(records)) {
      if (RelayHeaders.type(record.headers()) == RecordType.RAW) {
        continue;
      }
      String key = TestData.str(record.key());
      if (record.value() == null) {
        view.remove(key);
      } else {
        view.put(key, TestData.str(record.value()));
      }
    }
    return view;
  }
}
