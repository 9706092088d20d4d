/**
 * The log: recovery of a store's segments at open (the longest valid prefix, a torn tail kept as
 * evidence and cut off), the writer (appends, rotation, group commit, poisoning), the store's
 * manifest, scans, followers, retention and the verification of sealed segments. Not part of the
 * API; it uses only the JDK, the layers below it and the API's value and exception types.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.internal.log;

import org.jspecify.annotations.NullMarked;
