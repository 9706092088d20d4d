package dev.datawal;

/**
 * What a record means to the key/value projection. The numeric codes are part of the on-disk format
 * (byte 6 of a frame) and never change.
 */
public enum RecordType {
  /** A plain log entry; the key/value projection ignores it. Usually has an empty key. */
  RAW(0),
  /** Sets {@code key} to {@code payload}; the latest Put of a key wins. */
  PUT(1),
  /** A tombstone: removes {@code key}. Has an empty payload. */
  DELETE(2);

  private static final RecordType[] BY_CODE = {RAW, PUT, DELETE};

  private final int code;

  RecordType(int code) {
    this.code = code;
  }

  /** {@return the on-disk code of this type, 0 to 2} */
  public int code() {
    return code;
  }

  /**
   * The type with the given on-disk code.
   *
   * @param code an on-disk code, as {@link #code()} gives it
   * @return the type it names
   * @throws IllegalArgumentException if no type has that code
   */
  public static RecordType fromCode(int code) {
    if (code < 0 || code >= BY_CODE.length) {
      throw new IllegalArgumentException("unknown record type code " + code);
    }
    return BY_CODE[code];
  }

  /**
   * {@return whether {@code code} names a record type of format v1}
   *
   * @param code an on-disk code, possibly damaged
   */
  public static boolean isKnownCode(int code) {
    return code >= 0 && code < BY_CODE.length;
  }
}
