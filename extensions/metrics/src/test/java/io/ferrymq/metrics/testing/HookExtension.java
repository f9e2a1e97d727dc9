package io.ferrymq.metrics.testing;

import io.ferrymq.spi.Extension;
import io.ferrymq.spi.ExtensionContext;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** An extension that registers whatever hooks a test sets up, standing in for an extension not yet written. */
public final class HookExtension implements Extension {

  private final String name;
  private final Consumer<ExtensionContext> setup;

  public HookExtension(String name, Consumer<ExtensionContext> setup) {
    this.name = name;
    this.setup = setup;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CompletionStage<Void> start(ExtensionContext context, Map<String, Object> config) {
    setup.accept(context);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> stop() {
    return CompletableFuture.completedFuture(null);
  }
}
