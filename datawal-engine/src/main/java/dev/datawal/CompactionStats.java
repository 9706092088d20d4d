package dev.datawal;

import java.time.Duration;

/**
 * What a compaction did.
 *
 * @param liveKeys live keys in the store when it ran
 * @param recordsWritten records written (live Puts, and tombstones still needed)
 * @param bytesWritten bytes written to new segment files
 * @param bytesReclaimed disk bytes freed: the size of the segments before minus after (for {@link
 *     DataWal#compactTo}, what the source would shrink to, since it is not changed)
 * @param segmentsBefore segment files before (for {@code compactTo}: in the source)
 * @param segmentsAfter segment files after (for {@code compactTo}: written to the target)
 * @param duration how long it took
 */
public record CompactionStats(
    long liveKeys,
    long recordsWritten,
    long bytesWritten,
    long bytesReclaimed,
    int segmentsBefore,
    int segmentsAfter,
    Duration duration) {}
