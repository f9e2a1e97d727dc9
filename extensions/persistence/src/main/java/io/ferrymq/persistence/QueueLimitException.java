package io.ferrymq.persistence;

import io.ferrymq.spi.storage.QuotaExceededException;

/** A message refused because the session's stored queue is at its bound in messages or bytes. */
public final class QueueLimitException extends QuotaExceededException {

  private static final long serialVersionUID = 1L;

  public QueueLimitException(String message) {
    super(message);
  }
}
