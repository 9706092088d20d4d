/**
 * The bottom layer, file I/O: {@link dev.datawal.internal.io.FileIo}, the engine's only route to
 * the file system (which tests replace to record calls, fail them or simulate a power cut), atomic
 * replacement of whole files, the store directory's writer lock, and read-only memory mappings that
 * can be unmapped explicitly. Not part of the API; it uses only the JDK.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.internal.io;

import org.jspecify.annotations.NullMarked;
