/**
 * The key/value projection of the log: the key directory (where each live key's latest Put lies on
 * disk), the key-directory snapshot that lets an open skip reading the segments it covers, value
 * reads, segment compaction and JSON-lines export. Not part of the API; it uses only the JDK, the
 * layers below it and the API's value and exception types.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.internal.kv;

import org.jspecify.annotations.NullMarked;
