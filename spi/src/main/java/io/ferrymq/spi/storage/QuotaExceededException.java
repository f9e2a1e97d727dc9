package io.ferrymq.spi.storage;

/**
 * A store refuses a message because a bound it enforces (queued messages or bytes of a session, disk
 * space) would be exceeded. Complete a stage exceptionally with it, or throw it from
 * {@link SessionStore#enqueue}: the publisher then gets reason 0x97 (Quota exceeded) on MQTT 5, and
 * the broker keeps no copy of the message for that session.
 */
public class QuotaExceededException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public QuotaExceededException(String message) {
    super(message);
  }
}
