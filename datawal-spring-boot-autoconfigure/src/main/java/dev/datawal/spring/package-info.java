/**
 * Typed access to datawal stores with Jackson 3: {@link dev.datawal.spring.json.JsonEventLog} for
 * event logs (with durable named subscribers) and {@link dev.datawal.spring.json.JsonKeyValueStore}
 * for key/value stores. Auto-configured by {@code DatawalJacksonAutoConfiguration} when Jackson is
 * on the classpath.
 */
package dev.datawal.spring;
