package io.ferrymq.broker.spi;

import io.ferrymq.spi.Extension;
import io.ferrymq.spi.ExtensionContext;
import io.ferrymq.spi.Message;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** An extension that only a jar in the extensions folder names, so finding it proves the folder scan. */
public final class FolderExtension implements Extension {

  @Override
  public String name() {
    return "folder-extension";
  }

  @Override
  public CompletionStage<Void> start(ExtensionContext context, Map<String, Object> config) {
    String greeting = String.valueOf(config.get("greeting"));
    context.addObserver(new io.ferrymq.spi.BrokerObserver() {
      @Override
      public void onConnect(io.ferrymq.spi.ConnectInfo client, boolean sessionPresent) {
        context.publish(Message.builder("hello/" + client.clientId())
            .payload(greeting.getBytes(StandardCharsets.UTF_8)).build());
      }
    });
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> stop() {
    return CompletableFuture.completedFuture(null);
  }
}
