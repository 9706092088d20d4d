/** Auto-configuration of the datawal event publication registry's Micrometer metrics. */
@NullMarked
package dev.datawal.modulith.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
