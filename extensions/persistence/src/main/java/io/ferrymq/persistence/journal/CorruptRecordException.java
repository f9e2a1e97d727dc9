package io.ferrymq.persistence.journal;

/** A stored record that fails its checksum, is cut short, does not parse or has an unknown format version. */
public final class CorruptRecordException extends Exception {

  private static final long serialVersionUID = 1L;

  private final boolean unknownVersion;

  public CorruptRecordException(String message) {
    this(message, false);
  }

  public CorruptRecordException(String message, boolean unknownVersion) {
    super(message);
    this.unknownVersion = unknownVersion;
  }

  /** Whether the record is intact but written in a format version this broker does not read. */
  public boolean unknownVersion() {
    return unknownVersion;
  }
}
