package io.ferrymq.persistence.journal;

import java.io.IOException;

/** A change that could not be committed, for example because the disk is full; nothing of it is on disk. */
public final class StoreWriteException extends IOException {

  private static final long serialVersionUID = 1L;

  public StoreWriteException(String message, Throwable cause) {
    super(message, cause);
  }
}
