package io.ferrymq.broker.storage;

import io.ferrymq.spi.Message;
import io.ferrymq.spi.storage.RetainedStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link RetainedStore} in this JVM's memory; it outlives a broker stop and start, not the process. */
public final class MemoryRetainedStore implements RetainedStore {

  private final Map<String, Message> byTopic = new ConcurrentHashMap<>();

  @Override
  public List<Message> load() {
    return List.copyOf(byTopic.values());
  }

  @Override
  public CompletionStage<Void> put(Message message) {
    byTopic.put(message.topic(), message);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> remove(String topic) {
    byTopic.remove(topic);
    return CompletableFuture.completedFuture(null);
  }
}
