/**
 * Auto-configuration of the typed Jackson facades ({@link dev.datawal.spring.json.JsonEventLog},
 * {@link dev.datawal.spring.json.JsonKeyValueStore}) over the store bean, guarded on Jackson 3's
 * {@code JsonMapper}.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.autoconfigure.json;

import org.jspecify.annotations.NullMarked;
