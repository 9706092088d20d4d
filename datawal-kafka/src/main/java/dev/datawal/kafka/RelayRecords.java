package dev.datawal.kafka;

import dev.datawal.Record;
import dev.datawal.RecordType;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * How one log record becomes one Kafka record: the record's key as the Kafka key (never null, so a
 * compacted topic accepts it; Raw records without a key all share the empty key, and so one
 * partition and their order), the payload as the value, a Delete as a tombstone (null value), and
 * the {@link RelayHeaders}. The partition is left to the producer's partitioner (by key), so every
 * record of one key lands in one partition, in txid order.
 */
final class RelayRecords {
  private RelayRecords() {}

  static ProducerRecord<byte[], byte[]> toKafka(String topic, byte[] storeId, Record record) {
    byte[] value = record.type() == RecordType.DELETE ? null : record.payload();
    List<Header> headers =
        List.of(
            new RecordHeader(RelayHeaders.TXID, RelayHeaders.encode(record.txid())),
            new RecordHeader(RelayHeaders.TYPE, RelayHeaders.encode(record.type())),
            new RecordHeader(RelayHeaders.STORE, storeId));
    return new ProducerRecord<>(topic, null, null, record.key(), value, headers);
  }
}
