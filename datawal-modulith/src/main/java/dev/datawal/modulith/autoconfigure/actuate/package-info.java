/** Auto-configuration of the datawal event publication registry's Actuator endpoint. */
@NullMarked
package dev.datawal.modulith.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
