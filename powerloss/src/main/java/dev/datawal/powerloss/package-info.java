/** Power-loss harnesses and validator; filled by the power-loss issue. */
package dev.datawal.powerloss;
