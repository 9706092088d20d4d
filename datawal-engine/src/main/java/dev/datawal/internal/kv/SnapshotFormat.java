package dev.datawal.internal.kv;

import java.nio.charset.StandardCharsets;

/**
 * The key-directory snapshot's format: the one normative description of a {@code keydir.snapshot}
 * file's bytes and of when they may be trusted, with the constants and layout arithmetic that its
 * writer ({@link SnapshotWriter}), its head reader ({@link SnapshotHead}) and its mapped table
 * ({@link SnapshotTable}) share. Other code points here rather than restating it.
 *
 * <p>A snapshot is the key directory of a {@code DataWal} as of a known position in the log, laid
 * out as a hash table that an open uses in place (memory-mapped, checked page by page as it is
 * read), so that an open costs nothing per key and reads only the segments after that position.
 * datawal only and optional: the name does not match the segment pattern, so the reference
 * implementation ignores it, and a missing, damaged or stale snapshot only costs a scan of the
 * segments.
 *
 * <p>Format version 2, all integers little-endian. A file is a head (checked whole at open) and a
 * data region (checked page by page when read):
 *
 * <pre>
 * offset            size  field
 *      0               8  magic          ASCII "DWKEYDIR" (44 57 4B 45 59 44 49 52)
 *      8               2  version        u16 = 2 (1 was a list of entries; it is ignored, rebuilt)
 *     10               2  flags          u16: bit 0 (CLOSED) = written by a clean close after its
 *                                        final fsync, so every covered byte and segment name was
 *                                        durable before this file was; other bits 0
 *     12               4  segment_count  u32 N, at least 1
 *     16               8  last_txid      u64: at least the txid of every record in the covered
 *                                        part, below that of every record after it
 *     24               8  entry_count    u64 E, at most 2^31 - 1
 *     32               8  hash_seed      u64: the seed of the key hash (below)
 *     40               8  home_slots     u64 C, 1 &lt;= C &lt; 2^32
 *     48               8  slot_count     u64 T &gt;= max(C, E)
 *     56               8  arena_size     u64 A
 *     64               4  page_size      u32 = 4096
 *     68               4  reserved       u32 = 0
 *     72          28 * N  segments, ascending by id, exactly the segments up to and including the
 *                         last one (S), the covered part being all of them, S up to its size:
 *                         +0  8  id          u64
 *                         +8  8  size        u64: bytes covered (the whole file for all but S)
 *                         +16 8  live_bytes  u64: the sum of frame_length of the entries in it
 *                         +24 4  tail_crc    u32: CRC-32 (IEEE, not Castagnoli) of the
 *                                            segment's bytes [max(0, size - 4096), size)
 * 72 + 28N         4 * P  page_crc       u32 each: CRC-32C of data page p, bytes
 *                                        [p * 4096, min((p + 1) * 4096, data_size)) of the data
 *                                        region; P = ceil(data_size / 4096)
 *     ...                 zero padding
 * D - 4            4      head_crc       CRC-32C of bytes [0, D - 4); D = the multiple of 4096
 *                                        at or above 72 + 28N + 4P + 4
 * D                       data region, data_size = arena_offset + A bytes; file size = D + data_size
 *   +0        24 * T      slots, T of them:
 *                         +0  4  frame_length  u32: 0 = empty slot; else the frame length of the
 *                                              key's latest Put, 28 + key_len or more, with
 *                                              offset + frame_length within the covered size
 *                         +4  4  hash          u32: the key's hash
 *                         +8  8  place         u64: segment id (one of the above) &lt;&lt; 37 | frame
 *                                              offset (below 2^37)
 *                         +16 8  key           u64: arena offset &lt;&lt; 17 | key_len (at most
 *                                              65,536); the key is arena[offset, offset + key_len)
 *   +24T                  zero padding to arena_offset, the multiple of 4096 at or above 24T
 *   +arena_offset  A      arena: the keys' bytes
 * </pre>
 *
 * <p>The table: one entry per live key of the covered part (no value and no txid, which a get reads
 * from the frame itself). Entries are sorted by the unsigned hash; an entry's home slot is {@code
 * (hash * C) >>> 32} (hash unsigned, so homes rise with the hash) and it lies in the first slot at
 * or after its home that is after the previous entry's (linear probing in hash order). A lookup
 * starts at the home slot and stops at its key, at a larger hash, or at an empty slot or T. C is
 * 5/4 of the keys the writer had, at least 16 ({@link #homeSlots}): a load of at most 4/5.
 *
 * <p>The hash ({@link KeyHash}): {@code h = seed ^ (key_len * 0x9E3779B97F4A7C15)}; for each whole
 * 8 bytes of the key, read as a little-endian u64 {@code w}, {@code h = mix(h ^ w)}; the 0 to 7
 * bytes left, little-endian into a u64 {@code t} (0 if none), {@code h = mix(h ^ t)}; the hash is
 * the u32 {@code h ^ (h >>> 32)}; {@code mix(h)} is {@code h *= 0xBF58476D1CE4E5B9; h ^= h >>> 31;
 * h *= 0x94D049BB133111EB; h ^= h >>> 29}, all mod 2^64. The seed is random per store and kept from
 * one snapshot to the next.
 *
 * <p>The tail check is {@link dev.datawal.internal.format.SegmentTail}'s, which says why it is
 * CRC-32 and not the frames' CRC-32C. The live bytes per segment are what {@link SegmentUsage}
 * holds.
 *
 * <p>A snapshot file is never written in place once it has its name, since an open store may have
 * it mapped: it is replaced by a rename ({@link SnapshotWriter}) or unlinked ({@link
 * KeyDirectorySnapshot#delete}), either of which leaves the mapped pages.
 *
 * <p>Trust. An open ({@link SnapshotLoader}) uses a snapshot only if: the head checks out (magic,
 * version, flags, sizes that add up to the file's size exactly, head CRC); it covers only what the
 * store's manifest records (last_txid not above the manifest's txid floor, every covered segment
 * but S with the size the manifest records, S up to at most its recorded length); the store's
 * segment ids up to S are exactly the listed ones; every listed segment but S has exactly its
 * listed size and S at least its listed size; the tail CRC of each matches the file; and every
 * record the scan then reads after the covered part has a txid above last_txid (checked by {@link
 * dev.datawal.internal.log.Recovery}). Otherwise it is ignored, left in place (a close replaces it;
 * compaction deletes it before it changes a segment), and the whole log is read. A store without a
 * manifest has only the snapshot to record its shape: if the head checks out, every segment it
 * covers must be there as listed (ids, sizes, tail CRCs), or the open fails; the store is then read
 * whole. The data region is checked as it is used: a page's CRC before anything on it is read, an
 * entry's ranges (segment listed, frame within the covered size, key within the arena) before it is
 * used, and the whole table ({@link SnapshotTable#verifyAll}: every page, order, reachability,
 * count, live bytes, no repeated key) before anything walks it or compaction changes a segment.
 * Damage found there makes the key directory read the covered segments instead ({@link
 * SnapshotFallback}). A repair takes a snapshot whose own checks pass (the head, then the whole
 * table) as evidence of what the store held ({@link SnapshotEvidence}), without checking it against
 * the segments.
 *
 * <p>Stateless.
 */
final class SnapshotFormat {
  static final byte[] MAGIC = "DWKEYDIR".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 2;

  /** Flag: written by a clean close after its final fsync. */
  static final int FLAG_CLOSED = 1;

  static final int VERSION_OFFSET = MAGIC.length;
  static final int FLAGS_OFFSET = VERSION_OFFSET + 2;
  static final int SEGMENT_COUNT_OFFSET = FLAGS_OFFSET + 2;
  static final int LAST_TXID_OFFSET = SEGMENT_COUNT_OFFSET + 4;
  static final int ENTRY_COUNT_OFFSET = LAST_TXID_OFFSET + 8;
  static final int HASH_SEED_OFFSET = ENTRY_COUNT_OFFSET + 8;
  static final int HOME_SLOTS_OFFSET = HASH_SEED_OFFSET + 8;
  static final int SLOT_COUNT_OFFSET = HOME_SLOTS_OFFSET + 8;
  static final int ARENA_SIZE_OFFSET = SLOT_COUNT_OFFSET + 8;
  static final int PAGE_SIZE_OFFSET = ARENA_SIZE_OFFSET + 8;
  static final int RESERVED_OFFSET = PAGE_SIZE_OFFSET + 4;
  static final int HEADER_SIZE = RESERVED_OFFSET + 4;
  static final int SEGMENT_SIZE = 8 + 8 + 8 + 4;
  static final int PAGE_CRC_SIZE = 4;
  static final int CRC_SIZE = 4;

  /** Bytes per slot. */
  static final int SLOT_SIZE = 24;

  /** Bytes per checked page of the data region. */
  static final int PAGE_SIZE = 4096;

  /** Bits of a slot's key field that hold the key length. */
  static final int KEY_LEN_BITS = 17;

  private SnapshotFormat() {}

  /** Home slots for {@code keys} keys: a load of at most 4/5, at least 16 slots. */
  static long homeSlots(long keys) {
    return Math.max(16, keys + (keys + 3) / 4);
  }

  /**
   * The home slot of {@code hash} in a table of {@code homeSlots} home slots: {@code (hash *
   * homeSlots) >>> 32}, the hash taken unsigned (homeSlots is below 2^32, so the product fits 64
   * bits unsigned).
   */
  static long home(int hash, long homeSlots) {
    return (Integer.toUnsignedLong(hash) * homeSlots) >>> 32;
  }

  /** The multiple of the page size at or above {@code n}. */
  static long pageAligned(long n) {
    return (n + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
  }

  /** The head's size for {@code segments} segments and {@code pages} data pages. */
  static long headSize(long segments, long pages) {
    return pageAligned(HEADER_SIZE + SEGMENT_SIZE * segments + PAGE_CRC_SIZE * pages + CRC_SIZE);
  }
}
