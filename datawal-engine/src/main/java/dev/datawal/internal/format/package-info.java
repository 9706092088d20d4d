/**
 * The DWAL v1 on-disk format: how a record frame is laid out, encoded and checked ({@link
 * dev.datawal.internal.format.FrameFormat}), segment file names, the sequential scan of a segment's
 * frames, and the checks that tell a torn tail from mid-stream corruption. Not part of the API; it
 * uses only the JDK, file I/O and the API's value and exception types.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.internal.format;

import org.jspecify.annotations.NullMarked;
