package dev.datawal.spring.json;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeName;
import dev.datawal.Record;
import dev.datawal.RecordRef;
import dev.datawal.spring.json.EventDecodingException.Reason;
import java.io.Closeable;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes events into typed-event envelopes and reads them back, resolving type names to classes.
 *
 * <p>Design note: decoding never loads a class by a name found in the log unless it is assignable
 * to the type the caller asked for, and never for a too-general requested type ({@link Object},
 * {@link Serializable} and the like): there a name must have been registered in this process (by
 * {@link #register} or by appending an event of that class). A class found by name is loaded
 * without running its static initializer, and its assignability is checked before Jackson sees it,
 * so data in the log cannot make the process instantiate an arbitrary class.
 */
final class EventCodec {
  static final String TYPE = "type";
  static final String DATA = "data";

  /** Requested types too general to load classes by name for (as Jackson's own validators hold). */
  private static final Set<Class<?>> TOO_GENERAL =
      Set.of(
          Object.class,
          Serializable.class,
          Comparable.class,
          Cloneable.class,
          AutoCloseable.class,
          Closeable.class,
          java.lang.Record.class);

  private final JsonMapper mapper;
  private final Map<String, Class<?>> registered = new ConcurrentHashMap<>();
  private final Map<String, Class<?>> loaded = new ConcurrentHashMap<>();

  EventCodec(JsonMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  JsonMapper mapper() {
    return mapper;
  }

  /** The type name of {@code type}: its {@code @JsonTypeName} value if set, else its class name. */
  static String typeName(Class<?> type) {
    JsonTypeName annotation = type.getAnnotation(JsonTypeName.class);
    if (annotation != null && !annotation.value().isEmpty()) {
      return annotation.value();
    }
    return type.getName();
  }

  void register(String name, Class<?> type) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("datawal: an event type name must not be empty");
    }
    Class<?> previous = registered.putIfAbsent(name, type);
    if (previous != null && previous != type) {
      throw new IllegalArgumentException(
          "datawal: event type name \""
              + name
              + "\" is already registered for "
              + previous.getName()
              + ", cannot register it for "
              + type.getName());
    }
  }

  /** The envelope for {@code event}, registering its class under its type name. */
  byte[] encode(Object event) {
    Objects.requireNonNull(event, "event");
    Class<?> type = event.getClass();
    String name = typeName(type);
    register(name, type);
    Map<String, Object> envelope = new LinkedHashMap<>();
    envelope.put(TYPE, name);
    envelope.put(DATA, event);
    return mapper.writeValueAsBytes(envelope);
  }

  /** Decodes {@code record}; never throws for bad data, which goes into the result instead. */
  <T> StoredEvent<T> decode(Record record, Class<T> requested) {
    RecordRef ref = record.ref();
    String key = new String(record.key(), StandardCharsets.UTF_8);
    JsonNode root;
    try {
      root = mapper.readTree(record.payload());
    } catch (JacksonException e) {
      return StoredEvent.failed(
          ref,
          key,
          new EventDecodingException(
              Reason.NOT_AN_ENVELOPE,
              ref,
              null,
              "the payload ("
                  + record.payload().length
                  + " bytes) is not JSON, so not written by JsonEventLog: "
                  + e.getOriginalMessage(),
              e));
    }
    JsonNode typeNode = root == null ? null : root.get(TYPE);
    JsonNode data = root == null ? null : root.get(DATA);
    if (root == null
        || !root.isObject()
        || typeNode == null
        || !typeNode.isString()
        || data == null) {
      return StoredEvent.failed(
          ref,
          key,
          new EventDecodingException(
              Reason.NOT_AN_ENVELOPE,
              ref,
              null,
              "the payload is JSON but not an envelope {\"type\":\"<name>\",\"data\":<event>}",
              null));
    }
    String name = typeNode.stringValue();
    Class<? extends T> type;
    try {
      type = resolve(name, requested);
    } catch (Unresolved p) {
      return StoredEvent.failed(
          ref, key, new EventDecodingException(p.reason, ref, name, p.detail, p.getCause()));
    }
    T event;
    try {
      event = mapper.treeToValue(data, type);
    } catch (JacksonException | IllegalArgumentException e) {
      return StoredEvent.failed(
          ref,
          key,
          new EventDecodingException(
              Reason.BAD_DATA,
              ref,
              name,
              "data does not bind to " + type.getName() + ": " + originalMessage(e),
              e));
    }
    if (event == null) { // "data":null binds to null: no event to hand over
      return StoredEvent.failed(
          ref,
          key,
          new EventDecodingException(
              Reason.BAD_DATA, ref, name, "data is null, not a " + type.getName(), null));
    }
    return StoredEvent.decoded(ref, key, name, event);
  }

  private static @Nullable String originalMessage(Exception e) {
    return e instanceof JacksonException j ? j.getOriginalMessage() : e.getMessage();
  }

  private <T> Class<? extends T> resolve(String name, Class<T> requested) throws Unresolved {
    Class<?> type = registered.get(name);
    if (type == null && typeName(requested).equals(name)) {
      type = requested;
    }
    if (type == null) {
      type = declaredSubtype(requested, name);
    }
    if (type == null) {
      type = loaded.get(name);
    }
    if (type == null) {
      if (TOO_GENERAL.contains(requested) || requested.isPrimitive()) {
        throw new Unresolved(
            Reason.UNKNOWN_TYPE,
            "no class is registered under this name, and classes are not loaded by name for "
                + "requested type "
                + requested.getName()
                + " (register it with JsonEventLog.registerType, or ask for a more specific type)",
            null);
      }
      type = load(name);
    }
    if (!requested.isAssignableFrom(type)) {
      throw new Unresolved(
          Reason.NOT_ASSIGNABLE,
          "it names " + type.getName() + ", which is not a " + requested.getName(),
          null);
    }
    loaded.putIfAbsent(name, type);
    return type.asSubclass(requested);
  }

  /**
   * The subtype {@code requested} declares under {@code name} with {@code @JsonSubTypes}, or null.
   */
  private static @Nullable Class<?> declaredSubtype(Class<?> requested, String name) {
    JsonSubTypes subTypes = requested.getAnnotation(JsonSubTypes.class);
    if (subTypes == null) {
      return null;
    }
    for (JsonSubTypes.Type subType : subTypes.value()) {
      if (name.equals(subType.name())
          || Arrays.asList(subType.names()).contains(name)
          || name.equals(typeName(subType.value()))) {
        return subType.value();
      }
    }
    return null;
  }

  /** Loads {@code name} without initializing it (no static initializer runs). */
  private static Class<?> load(String name) throws Unresolved {
    ClassNotFoundException notFound = null;
    for (ClassLoader loader : loaders()) {
      try {
        return Class.forName(name, false, loader);
      } catch (ClassNotFoundException e) {
        notFound = e;
      } catch (LinkageError e) {
        throw new Unresolved(Reason.UNKNOWN_TYPE, "class " + name + " cannot be loaded: " + e, e);
      }
    }
    throw new Unresolved(
        Reason.UNKNOWN_TYPE,
        "no class is registered under this name and no class of that name exists"
            + " (register it with JsonEventLog.registerType)",
        notFound);
  }

  /** A type name that did not resolve; becomes an {@link EventDecodingException}. */
  private static final class Unresolved extends Exception {
    private static final long serialVersionUID = 1L;
    private final Reason reason;
    private final String detail;

    Unresolved(Reason reason, String detail, @Nullable Throwable cause) {
      super(detail, cause);
      this.reason = reason;
      this.detail = detail;
    }
  }

  private static ClassLoader[] loaders() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    ClassLoader own = EventCodec.class.getClassLoader();
    return context == null || context == own
        ? new ClassLoader[] {own}
        : new ClassLoader[] {context, own};
  }
}
