package io.ferrymq.persistence;

import io.ferrymq.persistence.journal.Change;
import io.ferrymq.spi.Message;
import io.ferrymq.spi.storage.RetainedStore;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** A {@link RetainedStore} on the journal; both stages complete after the change is forced to disk. */
public final class DurableRetainedStore implements RetainedStore {

  private final DurableStore store;

  public DurableRetainedStore(DurableStore store) {
    this.store = store;
  }

  @Override
  public List<Message> load() {
    return store.takeRecoveredRetained();
  }

  @Override
  public CompletionStage<Void> put(Message message) {
    return store.journal().submit(new Change.PutRetained(message), true);
  }

  @Override
  public CompletionStage<Void> remove(String topic) {
    return store.journal().submit(new Change.RemoveRetained(topic), true);
  }
}
