/** Auto-configuration of the datawal event publication registry's health indicator. */
@NullMarked
package dev.datawal.modulith.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
