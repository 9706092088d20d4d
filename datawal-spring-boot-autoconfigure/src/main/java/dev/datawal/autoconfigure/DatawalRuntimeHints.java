package dev.datawal.autoconfigure;

import java.nio.ByteBuffer;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;

/**
 * What a native image of an application with datawal must keep that no static analysis finds: the
 * engine's reflection. Registered in {@code META-INF/spring/aot.factories}, so the hints are there
 * whenever the engine is, whether or not the auto-configured store bean is (an application may open
 * stores of its own).
 *
 * <p>Left to Spring and Boot, which already register them: the {@code datawal} endpoint's
 * descriptor records (Boot's endpoint operations are {@code @Reflective}: their return types are
 * registered for JSON binding, the engine's stats records inside them too), the binding of {@code
 * datawal.*} ({@code @ConfigurationProperties}), and the failure analyzers of {@code
 * META-INF/spring.factories} (Spring's own factories hints). The health indicator's details are
 * strings, numbers and an {@code Instant}, which Jackson writes without reflection.
 *
 * <p>Not registered, on purpose: the engine's Java 22+ paths through {@code java.lang.foreign} (the
 * {@code flock} on {@code .lock} and the arena mappings). A native image needs foreign downcall
 * metadata for those, which runtime hints cannot express; without it the engine keeps the fallbacks
 * it has on a JVM without native access: the {@code fcntl} lock alone, and the mappings below. Nor
 * the classes of an application's events and values ({@code dev.datawal.spring.json}): only the
 * application knows them, and registers them for binding itself.
 */
final class DatawalRuntimeHints implements RuntimeHintsRegistrar {
  /**
   * The engine unmaps a key-directory snapshot it has read in place, on Java 17 to 22, through
   * {@code sun.misc.Unsafe#invokeCleaner}, reached by reflection; without these hints the mapping
   * lives until it is garbage collected.
   */
  static final TypeReference UNSAFE = TypeReference.of("sun.misc.Unsafe");

  /**
   * The engine's gate around reads of a mapping (internal.io.ReaderGate) updates its {@code state}
   * field through a {@code VarHandle}; the image keeps the field for it.
   */
  static final TypeReference READER_GATE = TypeReference.of("dev.datawal.internal.io.ReaderGate");

  /** Created by Spring's AOT processing, from {@code aot.factories}. */
  DatawalRuntimeHints() {}

  @Override
  public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
    hints
        .reflection()
        .registerType(
            UNSAFE,
            type ->
                type.withField("theUnsafe")
                    .withMethod(
                        "invokeCleaner",
                        List.of(TypeReference.of(ByteBuffer.class)),
                        ExecutableMode.INVOKE));
    hints.reflection().registerType(READER_GATE, type -> type.withField("state"));
    // UnknownProperties reads every module's configuration metadata at startup to warn about
    // datawal.* properties nothing declares; without these the image has none, and it stays quiet.
    hints
        .resources()
        .registerPattern(UnknownProperties.METADATA)
        .registerPattern(UnknownProperties.ADDITIONAL_METADATA);
  }
}
