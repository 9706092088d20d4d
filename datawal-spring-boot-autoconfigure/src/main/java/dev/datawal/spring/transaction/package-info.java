/**
 * Spring transactions on a datawal {@link dev.datawal.DataWal}: {@link
 * dev.datawal.spring.transaction.DatawalTransactionManager} collects a transaction's writes and
 * commits them as one atomic record group, and {@link
 * dev.datawal.spring.transaction.DatawalTemplate} is what application code writes and reads
 * through, inside a transaction or not.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.spring.transaction;

import org.jspecify.annotations.NullMarked;
