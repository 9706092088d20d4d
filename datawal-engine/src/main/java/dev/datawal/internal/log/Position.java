package dev.datawal.internal.log;

/**
 * A point in the log: the end of the record with {@code txid}, which ends at {@code offset} of
 * segment {@code segment}. {@link #START} is the point before any record.
 *
 * @param segment the segment id
 * @param offset the byte offset just after the record
 * @param txid the record's txid (0 before any record)
 */
public record Position(long segment, long offset, long txid) {
  /** Before the first record of a log. */
  public static final Position START = new Position(0, 0, 0);
}
