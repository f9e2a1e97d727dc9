package io.ferrymq.spi;

import java.util.Objects;

/**
 * The verdict of a {@link PublishInterceptor}.
 *
 * <p>A dropped QoS 1 or 2 publish is still acknowledged to its publisher, with the reason code given
 * here for MQTT 5 clients, so that the publisher stops resending it.
 */
public final class InterceptResult {

  private static final InterceptResult PASS = new InterceptResult(null, null, null);

  private final Message replacement;
  private final DropReason dropReason;
  private final ReasonCode ackReasonCode;

  private InterceptResult(Message replacement, DropReason dropReason, ReasonCode ackReasonCode) {
    this.replacement = replacement;
    this.dropReason = dropReason;
    this.ackReasonCode = ackReasonCode;
  }

  /** Passes the publish on unchanged. */
  public static InterceptResult pass() {
    return PASS;
  }

  /** Passes {@code changed} on in place of the original message. */
  public static InterceptResult replace(Message changed) {
    return new InterceptResult(Objects.requireNonNull(changed, "changed"), null, null);
  }

  /**
   * Drops the publish. The publisher's PUBACK or PUBREC carries {@code ackReasonCode}, which
   * {@link ReasonCode#SUCCESS} keeps silent, for instance for a duplicate the client should forget.
   */
  public static InterceptResult drop(DropReason reason, ReasonCode ackReasonCode) {
    return new InterceptResult(null, Objects.requireNonNull(reason, "reason"),
        Objects.requireNonNull(ackReasonCode, "ackReasonCode"));
  }

  public boolean isDrop() {
    return dropReason != null;
  }

  /** The changed message, or {@code null} when the original passes on. */
  public Message replacement() {
    return replacement;
  }

  public DropReason dropReason() {
    return dropReason;
  }

  public ReasonCode ackReasonCode() {
    return ackReasonCode;
  }
}
