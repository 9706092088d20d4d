package dev.datawal.benchmarks.peers;

import java.nio.file.Path;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * RocksDB through rocksdbjni, default options (WAL on), one {@code db.put} per write with {@code
 * WriteOptions.setSync(true)} (durable: the WAL is fsynced before put returns; concurrent writers
 * are grouped by RocksDB's own write group) or {@code setSync(false)} (unsynced: the WAL is written
 * to the OS, not fsynced).
 */
final class RocksDbPeer implements Peer {
  static {
    RocksDB.loadLibrary();
  }

  private final Options options;
  private final WriteOptions writeOptions;
  private final RocksDB db;

  RocksDbPeer(Path dir, boolean durable) throws RocksDBException {
    options = new Options().setCreateIfMissing(true);
    writeOptions = new WriteOptions().setSync(durable);
    db = RocksDB.open(options, dir.toString());
  }

  @Override
  public void put(byte[] key, byte[] value) throws RocksDBException {
    db.put(writeOptions, key, value);
  }

  @Override
  public byte[] get(byte[] key) throws RocksDBException {
    return db.get(key);
  }

  @Override
  public void sync() throws RocksDBException {
    db.syncWal();
  }

  @Override
  public void compact() throws RocksDBException {
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
      db.flush(flush);
    }
    db.compactRange();
  }

  @Override
  public String compaction() {
    return "flush (wait) then compactRange() over the whole key range";
  }

  @Override
  public void close() {
    db.close();
    writeOptions.close();
    options.close();
  }
}
