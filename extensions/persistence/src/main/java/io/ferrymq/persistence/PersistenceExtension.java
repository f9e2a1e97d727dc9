package io.ferrymq.persistence;

import io.ferrymq.spi.Extension;
import io.ferrymq.spi.ExtensionContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Makes persistent sessions and retained messages survive restarts and crashes. Its files live in
 * {@code <data-dir>/persistence}: journal segments, the current MapDB checkpoint, {@code CURRENT}
 * naming it, and {@code store.lock}.
 */
public final class PersistenceExtension implements Extension {

  private volatile DurableStore store;

  @Override
  public String name() {
    return "persistence";
  }

  @Override
  public CompletionStage<Void> start(ExtensionContext context, Map<String, Object> config) {
    PersistenceConfig settings = PersistenceConfig.parse(config);
    Path dir = context.dataDir().resolve("persistence");
    try {
      store = DurableStore.open(dir, settings);
    } catch (StoreDamagedException e) {
      return CompletableFuture.failedFuture(new IllegalStateException(advice(e), e));
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new IllegalStateException("persistence store " + dir
          + " could not be opened: " + e + "; check that the folder is writable and the disk has space", e));
    } catch (IllegalStateException e) {
      return CompletableFuture.failedFuture(e);
    }
    store.journal().observeCommits(context.observers()::onStoreCommit);
    context.sessionStore(new DurableSessionStore(store, settings));
    context.retainedStore(new DurableRetainedStore(store));
    return CompletableFuture.completedFuture(null);
  }

  static String advice(StoreDamagedException e) {
    if (e.unknownVersion()) {
      return e.getMessage() + ". It was written by another FerryMQ version: start that version, or move "
          + e.file().getParent() + " away to start with an empty store";
    }
    return e.getMessage() + ". Restore the folder from a backup, or set extensions.persistence.damaged-files: "
        + "move-aside to move the damaged files into " + e.file().getParent().resolve("damaged-<time>")
        + " and start with everything that can still be read";
  }

  /** The open store, for tests; {@code null} before start and after stop. */
  public DurableStore store() {
    return store;
  }

  @Override
  public CompletionStage<Void> stop() {
    DurableStore open = store;
    store = null;
    if (open == null) {
      return CompletableFuture.completedFuture(null);
    }
    try {
      open.close();
      return CompletableFuture.completedFuture(null);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
