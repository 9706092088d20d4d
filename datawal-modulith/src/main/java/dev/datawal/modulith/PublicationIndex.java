package dev.datawal.modulith;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory index of incomplete publications: for each, its id, status, completion attempts,
 * publication date, listener and a 64-bit hash of listener id and serialized event; never the event
 * itself, which stays in the store.
 *
 * <p>Thread-safe: every method holds this object's monitor, for O(1) work or one pass over the
 * arrays.
 */
final class PublicationIndex {
  /*
   * Layout, for a small and predictable footprint: a "slot" per publication in parallel primitive
   * arrays (struct of arrays: 8+8+8+8+4+2+1 = 39 bytes a slot), kept dense (a removed slot is filled
   * with the last one), and an open-addressing hash table (linear probing, at most 3/4 full, int
   * slot+1 per cell, 0 = empty) from id to slot: 5.3 to 10.7 bytes a publication. Listener ids
   * repeat (one per listener method), so each distinct one is stored once and a slot holds its
   * number (char: at most 65535 distinct listeners). Lookups by event and listener, rare in
   * Modulith (the registry finds in-progress publications by object identity first), scan the hash
   * array instead of paying for a second table.
   */
  static final int STATUSES = 5;
  private static final int MIN_SLOTS = 16;
  private static final int MIN_TABLE = 32;

  private long[] msb = new long[MIN_SLOTS];
  private long[] lsb = new long[MIN_SLOTS];
  private long[] published = new long[MIN_SLOTS]; // epoch nanoseconds, saturated
  private long[] contentHash = new long[MIN_SLOTS];
  private int[] attempts = new int[MIN_SLOTS];
  private char[] listener = new char[MIN_SLOTS];
  private byte[] status = new byte[MIN_SLOTS];
  private int size;

  private int[] table = new int[MIN_TABLE];
  private final int[] countByStatus = new int[STATUSES];

  private final Map<String, Character> listenerNumbers = new HashMap<>();
  private final List<String> listenerIds = new ArrayList<>();

  /** An incomplete publication's changing state, as the index has it. */
  record State(byte status, int attempts) {}

  /** Makes room for {@code count} publications at once (startup knows how many it loads). */
  synchronized void ensureCapacity(int count) {
    if (count > msb.length) {
      resizeSlots(count);
    }
    int cells = tableSizeFor(count);
    if (cells > table.length) {
      rehash(cells);
    }
  }

  synchronized int size() {
    return size;
  }

  /**
   * Adds an incomplete publication.
   *
   * @throws IllegalStateException if it is already indexed, or if this is the 65536th listener id
   */
  synchronized void add(
      UUID id,
      byte statusCode,
      int completionAttempts,
      Instant date,
      String listenerId,
      long hash) {
    if (find(id.getMostSignificantBits(), id.getLeastSignificantBits()) >= 0) {
      throw new IllegalStateException("publication " + id + " is already indexed");
    }
    char number = listenerNumber(listenerId);
    if (size == msb.length) {
      resizeSlots(Math.max(MIN_SLOTS, size + (size >> 1)));
    }
    if (tableSizeFor(size + 1) > table.length) {
      rehash(table.length * 2);
    }
    int slot = size++;
    msb[slot] = id.getMostSignificantBits();
    lsb[slot] = id.getLeastSignificantBits();
    published[slot] = nanos(date);
    contentHash[slot] = hash;
    attempts[slot] = completionAttempts;
    listener[slot] = number;
    status[slot] = statusCode;
    countByStatus[statusCode]++;
    insert(slot);
  }

  /** {@return the state of publication {@code id}, or null if it is not an indexed one} */
  synchronized @Nullable State state(UUID id) {
    int cell = find(id.getMostSignificantBits(), id.getLeastSignificantBits());
    if (cell < 0) {
      return null;
    }
    int slot = table[cell] - 1;
    return new State(status[slot], attempts[slot]);
  }

  /** Sets the state of publication {@code id}; returns false if it is not indexed. */
  synchronized boolean update(UUID id, byte statusCode, int completionAttempts) {
    int cell = find(id.getMostSignificantBits(), id.getLeastSignificantBits());
    if (cell < 0) {
      return false;
    }
    int slot = table[cell] - 1;
    countByStatus[status[slot]]--;
    countByStatus[statusCode]++;
    status[slot] = statusCode;
    attempts[slot] = completionAttempts;
    return true;
  }

  /** Removes publication {@code id}; returns false if it was not indexed. */
  synchronized boolean remove(UUID id) {
    int cell = find(id.getMostSignificantBits(), id.getLeastSignificantBits());
    if (cell < 0) {
      return false;
    }
    int slot = table[cell] - 1;
    countByStatus[status[slot]]--;
    deleteCell(cell);
    int last = --size;
    if (slot != last) { // keep the slots dense: the last one moves into the hole
      int lastCell = find(msb[last], lsb[last]);
      msb[slot] = msb[last];
      lsb[slot] = lsb[last];
      published[slot] = published[last];
      contentHash[slot] = contentHash[last];
      attempts[slot] = attempts[last];
      listener[slot] = listener[last];
      status[slot] = status[last];
      table[lastCell] = slot + 1;
    }
    if (msb.length > 4 * MIN_SLOTS && size < msb.length / 4) {
      resizeSlots(msb.length / 2);
    }
    if (table.length > MIN_TABLE && size < table.length / 8) {
      rehash(table.length / 2);
    }
    return true;
  }

  /**
   * {@return the ids of the publications of {@code listenerId} whose content hash is {@code hash}}
   */
  synchronized List<UUID> withContent(String listenerId, long hash) {
    Character number = listenerNumbers.get(listenerId);
    List<UUID> ids = new ArrayList<>(1);
    if (number == null) {
      return ids;
    }
    for (int slot = 0; slot < size; slot++) {
      if (contentHash[slot] == hash && listener[slot] == number) {
        ids.add(new UUID(msb[slot], lsb[slot]));
      }
    }
    return ids;
  }

  /** {@return how many indexed publications have status {@code statusCode}} */
  synchronized int count(byte statusCode) {
    return countByStatus[statusCode];
  }

  /**
   * {@return the earliest publication date of the publications whose status is in {@code
   * statusMask} (bit {@code 1 << code}), or null if there is none}
   */
  synchronized @Nullable Instant oldest(int statusMask) {
    long oldest = Long.MAX_VALUE;
    boolean found = false;
    for (int slot = 0; slot < size; slot++) {
      if ((statusMask & (1 << status[slot])) != 0 && published[slot] <= oldest) {
        oldest = published[slot];
        found = true;
      }
    }
    return found ? instant(oldest) : null;
  }

  /**
   * Copies the publications whose status is in {@code statusMask} and that were published before
   * {@code before} (null: any time), sorted by publication date (then id), at most {@code limit}
   * (negative: all).
   */
  Selection select(int statusMask, @Nullable Instant before, long limit) {
    long cutoff = before == null ? Long.MAX_VALUE : nanos(before);
    Selection selection;
    synchronized (this) {
      int n = 0;
      for (int slot = 0; slot < size; slot++) {
        if (matches(slot, statusMask, cutoff, before != null)) {
          n++;
        }
      }
      selection = new Selection(n, listenerIds.toArray(new String[0]));
      int i = 0;
      for (int slot = 0; slot < size; slot++) {
        if (matches(slot, statusMask, cutoff, before != null)) {
          selection.set(i++, msb[slot], lsb[slot], published[slot], listener[slot], status[slot]);
        }
      }
    }
    selection.sort(); // outside the monitor: O(n log n) on the copy
    selection.limit(limit);
    return selection;
  }

  private boolean matches(int slot, int statusMask, long cutoff, boolean hasCutoff) {
    return (statusMask & (1 << status[slot])) != 0 && (!hasCutoff || published[slot] < cutoff);
  }

  /** {@return an estimate of this index's heap footprint in bytes} */
  synchronized long estimatedBytes() {
    long arrayHeader = 16;
    long slots = msb.length;
    long bytes =
        7 * arrayHeader
            + slots * (8 + 8 + 8 + 8 + 4 + 2 + 1)
            + arrayHeader
            + 4L * table.length
            + arrayHeader
            + 4L * STATUSES;
    for (String id : listenerIds) {
      bytes += 40 + 2L * id.length() + 48; // the string, its array, and its map entry
    }
    return bytes;
  }

  private char listenerNumber(String listenerId) {
    Character number = listenerNumbers.get(listenerId);
    if (number != null) {
      return number;
    }
    if (listenerIds.size() > Character.MAX_VALUE) {
      throw new IllegalStateException(
          "datawal-modulith: more than "
              + (Character.MAX_VALUE + 1)
              + " distinct listener ids among incomplete publications; cannot index "
              + listenerId);
    }
    char next = (char) listenerIds.size();
    listenerIds.add(listenerId);
    listenerNumbers.put(listenerId, next);
    return next;
  }

  private void resizeSlots(int capacity) {
    msb = Arrays.copyOf(msb, capacity);
    lsb = Arrays.copyOf(lsb, capacity);
    published = Arrays.copyOf(published, capacity);
    contentHash = Arrays.copyOf(contentHash, capacity);
    attempts = Arrays.copyOf(attempts, capacity);
    listener = Arrays.copyOf(listener, capacity);
    status = Arrays.copyOf(status, capacity);
  }

  /** The smallest power of two at least MIN_TABLE that holds {@code count} at most 3/4 full. */
  private static int tableSizeFor(int count) {
    long needed = ((long) count * 4 + 2) / 3;
    int cells = MIN_TABLE;
    while (cells < needed) {
      cells <<= 1;
    }
    return cells;
  }

  private void rehash(int cells) {
    table = new int[cells];
    for (int slot = 0; slot < size; slot++) {
      insert(slot);
    }
  }

  private int home(long hi, long lo) {
    long h = hi ^ Long.rotateLeft(lo, 32);
    h = (h ^ (h >>> 33)) * 0xff51afd7ed558ccdL;
    h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return (int) (h ^ (h >>> 33)) & (table.length - 1);
  }

  private void insert(int slot) {
    int mask = table.length - 1;
    int cell = home(msb[slot], lsb[slot]);
    while (table[cell] != 0) {
      cell = (cell + 1) & mask;
    }
    table[cell] = slot + 1;
  }

  /** {@return the table cell holding the slot of id (hi, lo), or -1} */
  private int find(long hi, long lo) {
    int mask = table.length - 1;
    int cell = home(hi, lo);
    while (table[cell] != 0) {
      int slot = table[cell] - 1;
      if (msb[slot] == hi && lsb[slot] == lo) {
        return cell;
      }
      cell = (cell + 1) & mask;
    }
    return -1;
  }

  /** Empties {@code cell}, shifting later cells of its probe run back (no tombstones). */
  private void deleteCell(int cell) {
    int mask = table.length - 1;
    int hole = cell;
    int next = cell;
    while (true) {
      next = (next + 1) & mask;
      if (table[next] == 0) {
        break;
      }
      int slot = table[next] - 1;
      int want = home(msb[slot], lsb[slot]);
      boolean staysPut = hole <= next ? hole < want && want <= next : hole < want || want <= next;
      if (!staysPut) {
        table[hole] = table[next];
        hole = next;
      }
    }
    table[hole] = 0;
  }

  /** {@code date} as epoch nanoseconds, saturated outside the years 1677 to 2262. */
  static long nanos(Instant date) {
    long seconds = date.getEpochSecond();
    if (seconds >= Long.MAX_VALUE / 1_000_000_000L) {
      return Long.MAX_VALUE;
    }
    if (seconds <= Long.MIN_VALUE / 1_000_000_000L) {
      return Long.MIN_VALUE;
    }
    return seconds * 1_000_000_000L + date.getNano();
  }

  static Instant instant(long nanos) {
    return Instant.ofEpochSecond(
        Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }

  /**
   * A sorted copy of some indexed publications: what a lazy list of publications needs to read each
   * from the store, and to stand in for one that was completed and deleted meanwhile.
   */
  static final class Selection {
    private long[] msb;
    private long[] lsb;
    private long[] published;
    private char[] listener;
    private byte[] status;
    private int size;
    private final String[] listenerIds;

    Selection(int size, String[] listenerIds) {
      this.msb = new long[size];
      this.lsb = new long[size];
      this.published = new long[size];
      this.listener = new char[size];
      this.status = new byte[size];
      this.size = size;
      this.listenerIds = listenerIds;
    }

    void set(int i, long hi, long lo, long date, char listenerNumber, byte statusCode) {
      msb[i] = hi;
      lsb[i] = lo;
      published[i] = date;
      listener[i] = listenerNumber;
      status[i] = statusCode;
    }

    int size() {
      return size;
    }

    UUID id(int i) {
      return new UUID(msb[i], lsb[i]);
    }

    Instant publicationDate(int i) {
      return instant(published[i]);
    }

    String listenerId(int i) {
      return listenerIds[listener[i]];
    }

    byte status(int i) {
      return status[i];
    }

    void limit(long limit) {
      if (limit >= 0 && limit < size) {
        size = (int) limit;
      }
    }

    void sort() {
      int[] order = new int[size];
      for (int i = 0; i < size; i++) {
        order[i] = i;
      }
      mergeSort(order, new int[size], 0, size);
      long[] hi = new long[size];
      long[] lo = new long[size];
      long[] dates = new long[size];
      char[] listeners = new char[size];
      byte[] statuses = new byte[size];
      for (int i = 0; i < size; i++) {
        int from = order[i];
        hi[i] = msb[from];
        lo[i] = lsb[from];
        dates[i] = published[from];
        listeners[i] = listener[from];
        statuses[i] = status[from];
      }
      msb = hi;
      lsb = lo;
      published = dates;
      listener = listeners;
      status = statuses;
    }

    private int compare(int a, int b) {
      int c = Long.compare(published[a], published[b]);
      if (c == 0) {
        c = Long.compare(msb[a], msb[b]);
      }
      return c != 0 ? c : Long.compare(lsb[a], lsb[b]);
    }

    private void mergeSort(int[] a, int[] buffer, int from, int to) {
      if (to - from < 2) {
        return;
      }
      int mid = (from + to) >>> 1;
      mergeSort(a, buffer, from, mid);
      mergeSort(a, buffer, mid, to);
      if (compare(a[mid - 1], a[mid]) <= 0) {
        return; // already in order: the common case, publications arrive by date
      }
      System.arraycopy(a, from, buffer, from, to - from);
      int i = from;
      int j = mid;
      for (int k = from; k < to; k++) {
        if (j >= to || (i < mid && compare(buffer[i], buffer[j]) <= 0)) {
          a[k] = buffer[i++];
        } else {
          a[k] = buffer[j++];
        }
      }
    }
  }
}
