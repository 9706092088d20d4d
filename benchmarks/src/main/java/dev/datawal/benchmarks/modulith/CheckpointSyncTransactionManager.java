package dev.datawal.benchmarks.modulith;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.JdbcTransactionObjectSupport;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;

/**
 * Spring's JDBC transaction manager, plus H2's {@code CHECKPOINT SYNC} on the transaction's
 * connection after every commit, so that a commit that returned is on disk.
 *
 * <p>Why: H2 2.x (MVStore) never forces its file at commit. A commit is written to the file by H2's
 * background writer within {@code WRITE_DELAY} (500 ms by default), or at the commit itself with
 * {@code WRITE_DELAY=0}, and in neither case fsynced: H2 forces the file only on close, while
 * compacting, and for {@code CHECKPOINT SYNC}, which writes what is pending and forces the file. So
 * that is the only way to make H2 durable at commit; it costs one statement and one fsync per
 * commit (H2 has no group commit for it: concurrent commits each force the file).
 */
@SuppressWarnings("serial") // Serializable through its superclass; never serialized
final class CheckpointSyncTransactionManager extends JdbcTransactionManager {
  CheckpointSyncTransactionManager(DataSource dataSource) {
    super(dataSource);
  }

  @Override
  protected void doCommit(DefaultTransactionStatus status) {
    super.doCommit(status);
    Connection connection =
        ((JdbcTransactionObjectSupport) status.getTransaction())
            .getConnectionHolder()
            .getConnection();
    try (Statement statement = connection.createStatement()) {
      statement.execute("CHECKPOINT SYNC");
    } catch (SQLException e) {
      throw translateException("CHECKPOINT SYNC after commit", e);
    }
  }
}
