package dev.datawal.benchmarks.peers;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * SQLite through sqlite-jdbc: one file, {@code journal_mode=WAL}, {@code synchronous=FULL}
 * (durable: the WAL is fsynced at every commit) or {@code synchronous=OFF} (unsynced), table {@code
 * kv(k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID}, one {@code INSERT OR REPLACE} per put in
 * auto-commit mode. One connection shared by every thread, each call under this object's lock
 * (SQLite runs one writer at a time anyway).
 */
final class SqlitePeer implements Peer {
  private final Connection connection;
  private final PreparedStatement put;
  private final PreparedStatement get;

  SqlitePeer(Path dir, boolean durable) throws SQLException {
    connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("kv.db"));
    try (Statement s = connection.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("PRAGMA synchronous=" + (durable ? "FULL" : "OFF"));
      s.execute("CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID");
    }
    put = connection.prepareStatement("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)");
    get = connection.prepareStatement("SELECT v FROM kv WHERE k = ?");
  }

  @Override
  public synchronized void put(byte[] key, byte[] value) throws SQLException {
    put.setBytes(1, key);
    put.setBytes(2, value);
    put.executeUpdate();
  }

  @Override
  public synchronized byte[] get(byte[] key) throws SQLException {
    get.setBytes(1, key);
    try (ResultSet rs = get.executeQuery()) {
      return rs.next() ? rs.getBytes(1) : null;
    }
  }

  @Override
  public synchronized void sync() throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("PRAGMA wal_checkpoint(FULL)");
    }
  }

  @Override
  public synchronized void compact() throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("VACUUM");
      s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    }
  }

  @Override
  public String compaction() {
    return "VACUUM, then PRAGMA wal_checkpoint(TRUNCATE)";
  }

  @Override
  public synchronized void close() throws IOException {
    try {
      put.close();
      get.close();
      connection.close();
    } catch (SQLException e) {
      throw new IOException(e);
    }
  }
}
