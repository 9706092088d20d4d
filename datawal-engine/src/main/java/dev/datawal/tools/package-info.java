/**
 * Operators' tools for a store on disk, used by the {@code datawal} command-line tool: {@link
 * dev.datawal.tools.SegmentWalker} walks every frame of a segment file, damage included, and {@link
 * dev.datawal.tools.StoreRepair} moves the damage that makes an open refuse a store into quarantine
 * files, so that it opens again with every valid frame it had.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.tools;

import org.jspecify.annotations.NullMarked;
