/**
 * datawal's public API: {@link dev.datawal.RecordLog}, a durable append-only log of records in a
 * store directory (DWAL v1 segments); {@link dev.datawal.DataWal}, a last-write-wins key/value
 * store projected from that log; {@link dev.datawal.RecordLogReader}, a read-only view of a store;
 * and the options, reports, records and exceptions they use.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal;

import org.jspecify.annotations.NullMarked;
