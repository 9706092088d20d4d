package dev.datawal;

import java.nio.file.Path;

/**
 * One damaged region that recovery tolerated and left out of the log: a torn tail of the last
 * segment.
 *
 * @param segment the id of the damaged segment
 * @param offset the byte offset where the damage starts (the end of the valid prefix)
 * @param kind what is wrong with the first damaged frame, or {@link
 *     CorruptionKind#INCOMPLETE_GROUP} when the damage cut a record group short and the whole group
 *     was left out from its marker on
 * @param bytes how many bytes were left out, from {@code offset} to the end of the segment
 * @param keptIn where those bytes are now: the evidence file the writer moved them to before it cut
 *     the segment back, or the segment file itself when a read-only reader reported them
 */
public record DamageEvent(
    long segment, long offset, CorruptionKind kind, long bytes, Path keptIn) {}
