/** Auto-configuration of datawal transactions: the transaction manager and the template. */
@NullMarked
package dev.datawal.autoconfigure.transaction;

import org.jspecify.annotations.NullMarked;
