package io.ferrymq.backpressure;

import io.ferrymq.backpressure.BackpressureSettings.Redelivery;
import io.ferrymq.spi.Message;
import io.ferrymq.spi.RedeliveryPolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * The extension's {@link RedeliveryPolicy}: exponential retransmission delays for MQTT 3.1.1
 * subscribers, and dead letters on {@code $dead-letter/{client id}/{original topic}}.
 *
 * <p>A dead letter keeps the original payload, QoS, publisher, expiry and MQTT 5 properties, adds the
 * user properties {@value #REASON_PROPERTY}, {@value #ATTEMPTS_PROPERTY} and {@value #CLIENT_PROPERTY},
 * and is never retained. In the topic, the characters {@code /}, {@code +} and {@code #} of the client
 * id become {@code _}, so that the client id is exactly one topic level. A message that already
 * is a dead letter is dropped instead, so that a consumer of dead letters that never acknowledges
 * cannot make them circle.
 *
 * <p>Threading: stateless after construction; safe on every event loop.
 */
final class DeadLetters implements RedeliveryPolicy {

  static final String TOPIC_PREFIX = "$dead-letter/";
  static final String REASON_PROPERTY = "dead-letter-reason";
  static final String ATTEMPTS_PROPERTY = "dead-letter-attempts";
  static final String CLIENT_PROPERTY = "dead-letter-client-id";
  static final String REASON_MAX_ATTEMPTS = "max-delivery-attempts";

  private final Redelivery settings;

  DeadLetters(Redelivery settings) {
    this.settings = settings;
  }

  @Override
  public int maxDeliveryAttempts() {
    return settings.maxAttempts();
  }

  @Override
  public long retransmitDelayMillis(int attempts) {
    return settings.retransmit() ? settings.delayMillis(attempts) : -1;
  }

  @Override
  public Message deadLetter(Message original, String clientId, int attempts) {
    if (!settings.deadLetter() || original.topic().startsWith(TOPIC_PREFIX)) {
      return null;
    }
    List<Message.UserProperty> properties = new ArrayList<>(original.userProperties());
    properties.add(new Message.UserProperty(REASON_PROPERTY, REASON_MAX_ATTEMPTS));
    properties.add(new Message.UserProperty(ATTEMPTS_PROPERTY, Integer.toString(attempts)));
    properties.add(new Message.UserProperty(CLIENT_PROPERTY, clientId));
    return original.toBuilder()
        .topic(topicFor(clientId, original.topic()))
        .retain(false)
        .userProperties(properties)
        .build();
  }

  static String topicFor(String clientId, String originalTopic) {
    String level = clientId.replace('/', '_').replace('+', '_').replace('#', '_');
    return TOPIC_PREFIX + (level.isEmpty() ? "_" : level) + "/" + originalTopic;
  }
}
