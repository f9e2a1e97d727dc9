package io.ferrymq.broker.retained;

import io.ferrymq.broker.routing.Topics;
import io.ferrymq.spi.BrokerObserver;
import io.ferrymq.spi.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The retained message of each topic. A retained PUBLISH replaces the topic's message and one with
 * an empty payload clears it [MQTT-3.3.1-6, MQTT-3.3.1-7]; expired messages are skipped on read and
 * removed then.
 *
 * <p>Thread-safe: any event loop may publish or read.
 */
public final class RetainedMessages {

  private final Map<String, Message> byTopic = new ConcurrentHashMap<>();
  private final BrokerObserver observer;

  public RetainedMessages(BrokerObserver observer) {
    this.observer = observer;
  }

  /** Stores, replaces or, for an empty payload, clears the retained message of the message's topic. */
  public void update(Message message) {
    if (message.payload().length == 0) {
      if (byTopic.remove(message.topic()) != null) {
        observer.onRetainedCountChange(-1);
      }
      return;
    }
    Message stored = message.toBuilder().retain(true).build();
    if (byTopic.put(message.topic(), stored) == null) {
      observer.onRetainedCountChange(1);
    }
  }

  /**
   * Returns the unexpired retained messages whose topic matches {@code filter}, in no set order.
   * NOTE: this scans every retained topic; a trie would be needed for very many retained messages.
   */
  public List<Message> matching(String filter) {
    long now = System.currentTimeMillis();
    List<Message> out = new ArrayList<>();
    for (Map.Entry<String, Message> e : byTopic.entrySet()) {
      Message m = e.getValue();
      if (m.isExpired(now)) {
        if (byTopic.remove(e.getKey(), m)) {
          observer.onRetainedCountChange(-1);
        }
        continue;
      }
      if (Topics.matches(filter, e.getKey())) {
        out.add(m);
      }
    }
    return out;
  }

  public int size() {
    return byTopic.size();
  }
}
