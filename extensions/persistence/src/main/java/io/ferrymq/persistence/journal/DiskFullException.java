package io.ferrymq.persistence.journal;

import io.ferrymq.spi.storage.QuotaExceededException;

/**
 * A change that could not be committed because the file system has no space left. Nothing of it is
 * on disk. As a {@link QuotaExceededException}, it makes the broker acknowledge MQTT 5 publishes with
 * reason 0x97 (Quota exceeded).
 */
public final class DiskFullException extends QuotaExceededException {

  private static final long serialVersionUID = 1L;

  public DiskFullException(String message, Throwable cause) {
    super(message);
    initCause(cause);
  }

  /** Returns whether {@code error} is the operating system's "no space left on device" (ENOSPC). */
  static boolean isNoSpace(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && message.contains("No space left on device")) {
        return true;
      }
    }
    return false;
  }
}
