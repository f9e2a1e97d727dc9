package io.ferrymq.spi.storage;

import io.ferrymq.spi.Message;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Durable retained messages, one per topic.
 *
 * <p>Threading: called from event loops; must not block. The publisher's acknowledgement of a
 * retained QoS 1 or 2 message waits for the returned stage.
 */
public interface RetainedStore {

  /** Returns every stored retained message; called once at start, off the event loops. */
  List<Message> load();

  /** Stores or replaces the retained message of {@code message.topic()}. */
  CompletionStage<Void> put(Message message);

  /** Clears the retained message of {@code topic}. */
  CompletionStage<Void> remove(String topic);
}
