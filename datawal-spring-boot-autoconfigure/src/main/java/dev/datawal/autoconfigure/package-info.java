/** Spring Boot auto-configuration for datawal; filled by the starter issue. */
package dev.datawal.autoconfigure;
