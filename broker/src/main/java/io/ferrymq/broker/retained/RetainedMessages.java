package io.ferrymq.broker.retained;

import io.ferrymq.broker.routing.Topics;
import io.ferrymq.spi.BrokerObserver;
import io.ferrymq.spi.Message;
import io.ferrymq.spi.storage.RetainedStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
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
  private volatile RetainedStore store;

  public RetainedMessages(BrokerObserver observer) {
    this.observer = observer;
  }

  /** Makes changes durable in {@code value} and loads what it holds; call once at start. */
  public int restoreFrom(RetainedStore value) {
    this.store = value;
    int count = 0;
    for (Message m : value.load()) {
      if (byTopic.put(m.topic(), m) == null) {
        observer.onRetainedCountChange(1);
        count++;
      }
    }
    return count;
  }

  /**
   * Stores, replaces or, for an empty payload, clears the retained message of the message's topic.
   *
   * @return completes when a retained store has committed the change, or {@code null} without one
   */
  public CompletionStage<Void> update(Message message) {
    RetainedStore durable = store;
    if (message.payload().length == 0) {
      if (byTopic.remove(message.topic()) != null) {
        observer.onRetainedCountChange(-1);
      }
      return durable == null ? null : durable.remove(message.topic());
    }
    Message stored = message.toBuilder().retain(true).build();
    if (byTopic.put(message.topic(), stored) == null) {
      observer.onRetainedCountChange(1);
    }
    return durable == null ? null : durable.put(stored);
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
