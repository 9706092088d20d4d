/**
 * datawal's engine: a durable local log of records (DWAL v1 segments) and a key/value store on it.
 *
 * <p>Exports only the public API ({@code dev.datawal}) and the operators' tools ({@code
 * dev.datawal.tools}); the layers below ({@code dev.datawal.internal.io}, {@code .format}, {@code
 * .log}, {@code .kv}) are not part of the API and may change in any release.
 *
 * <p>{@code jdk.unsupported} is read for {@code sun.misc.Unsafe#invokeCleaner}, which unmaps the
 * key-directory snapshot on Java 17 to 21 (by reflection). On Java 22 and later, the {@code flock}
 * lock and the unmapping use the foreign-function API: grant it with {@code
 * --enable-native-access=dev.datawal.engine} on the module path ({@code ALL-UNNAMED} on the class
 * path); without it datawal falls back as the operations guide says.
 *
 * <p>{@code org.jspecify} is needed only to compile ({@code static}): its nullness annotations,
 * which NullAway checks, are not needed at run time. They are part of the exported API's
 * signatures, so a module compiled against this one reads them too ({@code transitive}).
 */
module dev.datawal.engine {
  requires jdk.unsupported;
  requires static transitive org.jspecify;

  exports dev.datawal;
  exports dev.datawal.tools;
}
