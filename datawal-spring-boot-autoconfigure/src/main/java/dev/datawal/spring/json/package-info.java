/**
 * Typed access to datawal stores with Jackson 3: {@link dev.datawal.spring.json.JsonEventLog} for
 * event logs, with followers and durable named subscribers ({@link
 * dev.datawal.spring.json.EventSubscription}, {@link dev.datawal.spring.json.EventHandler}), and
 * {@link dev.datawal.spring.json.JsonKeyValueStore} for key/value stores; records that do not
 * decode fail with {@link dev.datawal.spring.json.EventDecodingException} or {@link
 * dev.datawal.spring.json.ValueDecodingException}. Needs no Actuator, health or metrics classes.
 * Auto-configured by {@code dev.datawal.autoconfigure.json.DatawalJacksonAutoConfiguration} when
 * Jackson is on the classpath.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.spring.json;

import org.jspecify.annotations.NullMarked;
