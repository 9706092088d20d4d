package dev.datawal;

/**
 * What a compaction wrote.
 *
 * @param liveKeys live keys in the store when it ran
 * @param recordsWritten records written to the output (one Put per live key)
 * @param bytesWritten bytes written to the output's segments
 */
public record CompactionStats(long liveKeys, long recordsWritten, long bytesWritten) {}
