package dev.datawal;

/**
 * Where one record's frame lies on disk, and the transaction id it was given.
 *
 * @param segment the id of the segment file holding the frame ({@code 00000001.dwal} is 1)
 * @param offset the byte offset of the frame's first byte in that segment
 * @param length the frame's whole length in bytes (header, key, payload and CRC)
 * @param txid the record's transaction id
 */
public record RecordRef(long segment, long offset, int length, long txid) {}
