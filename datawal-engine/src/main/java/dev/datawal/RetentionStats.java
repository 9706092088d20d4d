package dev.datawal;

import java.time.Duration;

/**
 * What {@link RecordLog#applyRetention()} deleted.
 *
 * @param segmentsDeleted whole sealed segments deleted, oldest first
 * @param bytesReclaimed their bytes
 * @param segmentsBefore segment files before
 * @param segmentsAfter segment files after
 * @param duration how long it took
 */
public record RetentionStats(
    int segmentsDeleted,
    long bytesReclaimed,
    int segmentsBefore,
    int segmentsAfter,
    Duration duration) {}
