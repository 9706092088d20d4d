package dev.datawal.modulith;

import java.util.AbstractList;
import java.util.RandomAccess;
import java.util.function.IntFunction;
import org.springframework.modulith.events.core.TargetEventPublication;

/**
 * A list of publications that reads each one from the store when it is asked for, so that a list of
 * a million publications holds their ids (a few dozen bytes each), not their events. Each {@link
 * #get} reads afresh: a caller that keeps every element keeps every event, one that iterates does
 * not.
 *
 * <p>Its size is fixed when it is made. An element reflects the store when it is read: a
 * publication completed meanwhile reads as completed.
 */
final class LazyPublicationList extends AbstractList<TargetEventPublication>
    implements RandomAccess {
  private final int size;
  private final IntFunction<TargetEventPublication> reader;

  LazyPublicationList(int size, IntFunction<TargetEventPublication> reader) {
    this.size = size;
    this.reader = reader;
  }

  @Override
  public TargetEventPublication get(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("index " + index + ", size " + size);
    }
    return reader.apply(index);
  }

  @Override
  public int size() {
    return size;
  }
}
