/**
 * The {@code datawal} command-line tool: {@link dev.datawal.cli.Main} runs one command over a store
 * on disk, such as {@code check}, {@code verify}, {@code export} or {@code repair} ({@code datawal
 * --help} lists them all).
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.cli;

import org.jspecify.annotations.NullMarked;
