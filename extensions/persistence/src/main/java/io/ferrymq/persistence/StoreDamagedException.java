package io.ferrymq.persistence;

import java.io.IOException;
import java.nio.file.Path;

/** A store file that cannot be read: damaged from outside, cut short, or written in a format version this broker does not read. */
public final class StoreDamagedException extends IOException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final boolean unknownVersion;

  public StoreDamagedException(Path file, String detail, boolean unknownVersion) {
    super("persistence file " + file + " cannot be read: " + detail);
    this.file = file;
    this.unknownVersion = unknownVersion;
  }

  public Path file() {
    return file;
  }

  /** Whether the file is intact but in a format version that this broker does not read. */
  public boolean unknownVersion() {
    return unknownVersion;
  }
}
