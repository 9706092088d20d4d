/** Auto-configuration of the datawal event publication registry for Spring Modulith. */
@NullMarked
package dev.datawal.modulith.autoconfigure;

import org.jspecify.annotations.NullMarked;
