package io.ferrymq.spi;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * An application message as the broker received it from a publisher.
 *
 * <p>Immutable and shared by every recipient: the payload array is never copied per subscriber and
 * must never be modified. Use {@link #toBuilder()} to derive a changed message.
 */
public final class Message {

  /** Marks a message without a Message Expiry Interval. */
  public static final long NO_EXPIRY = -1;

  private final String topic;
  private final int qos;
  private final boolean retain;
  private final byte[] payload;
  private final String publisherId;
  private final long receivedAtMillis;
  private final long receivedAtNanos;
  private final long expiryAtMillis;
  private final Integer payloadFormatIndicator;
  private final String contentType;
  private final String responseTopic;
  private final byte[] correlationData;
  private final List<UserProperty> userProperties;

  private Message(Builder b) {
    this.topic = Objects.requireNonNull(b.topic, "topic");
    if (b.qos < 0 || b.qos > 2) {
      throw new IllegalArgumentException("qos must be 0, 1 or 2, got " + b.qos);
    }
    this.qos = b.qos;
    this.retain = b.retain;
    this.payload = b.payload == null ? new byte[0] : b.payload;
    this.publisherId = b.publisherId;
    this.receivedAtMillis = b.receivedAtMillis;
    this.receivedAtNanos = b.receivedAtNanos;
    this.expiryAtMillis = b.expiryAtMillis;
    this.payloadFormatIndicator = b.payloadFormatIndicator;
    this.contentType = b.contentType;
    this.responseTopic = b.responseTopic;
    this.correlationData = b.correlationData;
    this.userProperties = b.userProperties == null ? List.of() : List.copyOf(b.userProperties);
  }

  public static Builder builder(String topic) {
    return new Builder(topic);
  }

  public Builder toBuilder() {
    Builder b = new Builder(topic);
    b.qos = qos;
    b.retain = retain;
    b.payload = payload;
    b.publisherId = publisherId;
    b.receivedAtMillis = receivedAtMillis;
    b.receivedAtNanos = receivedAtNanos;
    b.expiryAtMillis = expiryAtMillis;
    b.payloadFormatIndicator = payloadFormatIndicator;
    b.contentType = contentType;
    b.responseTopic = responseTopic;
    b.correlationData = correlationData;
    b.userProperties = userProperties;
    return b;
  }

  public String topic() {
    return topic;
  }

  /** The QoS the publisher sent the message with. */
  public int qos() {
    return qos;
  }

  /** The RETAIN flag the publisher set. */
  public boolean retain() {
    return retain;
  }

  /** The payload; shared, never modify it. */
  public byte[] payload() {
    return payload;
  }

  public String payloadAsString() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  /** The client id of the publisher, or {@code null} for a message the broker made itself. */
  public String publisherId() {
    return publisherId;
  }

  /** Wall-clock time of receipt, in milliseconds since the epoch. */
  public long receivedAtMillis() {
    return receivedAtMillis;
  }

  /** {@link System#nanoTime()} at receipt, for in-broker latency. */
  public long receivedAtNanos() {
    return receivedAtNanos;
  }

  /** Wall-clock expiry time in milliseconds since the epoch, or {@link #NO_EXPIRY}. */
  public long expiryAtMillis() {
    return expiryAtMillis;
  }

  public boolean isExpired(long nowMillis) {
    return expiryAtMillis != NO_EXPIRY && nowMillis >= expiryAtMillis;
  }

  /**
   * Returns the Message Expiry Interval left at {@code nowMillis}, in whole seconds rounded up, so
   * that a forwarded message carries the interval minus the time it waited in the broker.
   */
  public long remainingExpirySeconds(long nowMillis) {
    if (expiryAtMillis == NO_EXPIRY) {
      return NO_EXPIRY;
    }
    long left = expiryAtMillis - nowMillis;
    return left <= 0 ? 0 : (left + 999) / 1000;
  }

  public Integer payloadFormatIndicator() {
    return payloadFormatIndicator;
  }

  public String contentType() {
    return contentType;
  }

  public String responseTopic() {
    return responseTopic;
  }

  public byte[] correlationData() {
    return correlationData;
  }

  public List<UserProperty> userProperties() {
    return userProperties;
  }

  @Override
  public String toString() {
    return "Message{topic=" + topic + ", qos=" + qos + ", retain=" + retain + ", bytes=" + payload.length
        + ", publisher=" + publisherId + '}';
  }

  /** A name and value pair of an MQTT 5 User Property. */
  public record UserProperty(String name, String value) {
    public UserProperty {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
    }
  }

  /** Builds a {@link Message}; not thread-safe. */
  public static final class Builder {
    private String topic;
    private int qos;
    private boolean retain;
    private byte[] payload;
    private String publisherId;
    private long receivedAtMillis = System.currentTimeMillis();
    private long receivedAtNanos = System.nanoTime();
    private long expiryAtMillis = NO_EXPIRY;
    private Integer payloadFormatIndicator;
    private String contentType;
    private String responseTopic;
    private byte[] correlationData;
    private List<UserProperty> userProperties;

    private Builder(String topic) {
      this.topic = topic;
    }

    public Builder topic(String value) {
      this.topic = value;
      return this;
    }

    public Builder qos(int value) {
      this.qos = value;
      return this;
    }

    public Builder retain(boolean value) {
      this.retain = value;
      return this;
    }

    /** Sets the payload; the array is taken over, not copied. */
    public Builder payload(byte[] value) {
      this.payload = value;
      return this;
    }

    public Builder publisherId(String value) {
      this.publisherId = value;
      return this;
    }

    public Builder receivedAt(long epochMillis, long nanoTime) {
      this.receivedAtMillis = epochMillis;
      this.receivedAtNanos = nanoTime;
      return this;
    }

    public Builder expiryAtMillis(long value) {
      this.expiryAtMillis = value;
      return this;
    }

    /** Sets the expiry from a Message Expiry Interval in seconds, counted from the receipt time. */
    public Builder expiryIntervalSeconds(long seconds) {
      this.expiryAtMillis = receivedAtMillis + seconds * 1000;
      return this;
    }

    public Builder payloadFormatIndicator(Integer value) {
      this.payloadFormatIndicator = value;
      return this;
    }

    public Builder contentType(String value) {
      this.contentType = value;
      return this;
    }

    public Builder responseTopic(String value) {
      this.responseTopic = value;
      return this;
    }

    public Builder correlationData(byte[] value) {
      this.correlationData = value;
      return this;
    }

    public Builder userProperties(List<UserProperty> value) {
      this.userProperties = value;
      return this;
    }

    public Message build() {
      return new Message(this);
    }
  }
}
