package io.ferrymq.spi;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * A broker extension, found with {@link java.util.ServiceLoader} on the classpath and in the
 * extensions folder. An extension runs only when its key under {@code extensions:} in the config
 * file has {@code enabled: true}.
 *
 * <p>Threading: {@link #start} and {@link #stop} run on the thread that starts or stops the broker,
 * never on an event loop, so they may block for setup work such as opening files.
 */
public interface Extension {

  /** The key of this extension's section in the config file, such as {@code persistence}. */
  String name();

  /**
   * Starts the extension with its config section and registers its hooks on {@code context}.
   *
   * @param config the extension's section of the config file, without {@code enabled}; never null
   * @throws IllegalArgumentException when a setting is invalid; the message names the setting
   */
  CompletionStage<Void> start(ExtensionContext context, Map<String, Object> config);

  /** Stops the extension after the broker has stopped serving clients; the stage completes when done. */
  CompletionStage<Void> stop();
}
