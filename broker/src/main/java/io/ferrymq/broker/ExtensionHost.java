package io.ferrymq.broker;

import io.ferrymq.broker.config.BrokerConfig;
import io.ferrymq.broker.config.ConfigException;
import io.ferrymq.spi.Authenticator;
import io.ferrymq.spi.Authorizer;
import io.ferrymq.spi.BrokerObserver;
import io.ferrymq.spi.BrokerStats;
import io.ferrymq.spi.Extension;
import io.ferrymq.spi.ExtensionContext;
import io.ferrymq.spi.Message;
import io.ferrymq.spi.PublishGate;
import io.ferrymq.spi.PublishInterceptor;
import io.ferrymq.spi.PublishThrottle;
import io.ferrymq.spi.QueueLimits;
import io.ferrymq.spi.RedeliveryPolicy;
import io.ferrymq.spi.storage.RetainedStore;
import io.ferrymq.spi.storage.SessionStore;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds extensions with {@link ServiceLoader} on the classpath and in the extensions folder, starts
 * the ones whose config section sets {@code enabled: true}, in the order of their {@code order}
 * setting, and stops them in reverse.
 */
final class ExtensionHost {

  private static final Logger log = LoggerFactory.getLogger(ExtensionHost.class);
  private static final long START_TIMEOUT_SECONDS = 60;

  private final BrokerCore core;
  private final List<Extension> started = new ArrayList<>();

  ExtensionHost(BrokerCore core) {
    this.core = core;
  }

  /**
   * Starts the enabled extensions among those found and those given.
   *
   * @throws ConfigException when a configured extension is not found or rejects its settings
   */
  void startAll(List<Extension> given) {
    BrokerConfig config = core.config();
    Map<String, Extension> available = discover(config.extensionsDir());
    for (Extension e : given) {
      available.put(e.name(), e);
    }
    List<Map.Entry<String, Map<String, Object>>> enabled = new ArrayList<>();
    for (Map.Entry<String, Map<String, Object>> section : config.extensions().entrySet()) {
      if (!available.containsKey(section.getKey())) {
        throw new ConfigException("extensions." + section.getKey() + ": no such extension on the classpath or in "
            + config.extensionsDir() + "; available: " + String.join(", ", available.keySet()));
      }
      Object flag = section.getValue().getOrDefault("enabled", Boolean.FALSE);
      if (!(flag instanceof Boolean)) {
        throw new ConfigException("extensions." + section.getKey() + ".enabled must be true or false, got " + flag);
      }
      if ((Boolean) flag) {
        enabled.add(section);
      }
    }
    enabled.sort(Comparator.comparingInt(ExtensionHost::order));
    for (Map.Entry<String, Map<String, Object>> section : enabled) {
      start(available.get(section.getKey()), section.getValue());
    }
  }

  private static int order(Map.Entry<String, Map<String, Object>> section) {
    Object order = section.getValue().get("order");
    if (order == null) {
      return 100;
    }
    if (!(order instanceof Integer i)) {
      throw new ConfigException("extensions." + section.getKey() + ".order must be a whole number, got " + order);
    }
    return i;
  }

  private void start(Extension extension, Map<String, Object> section) {
    Map<String, Object> settings = new LinkedHashMap<>(section);
    settings.remove("enabled");
    settings.remove("order");
    Context context = new Context();
    long begin = System.nanoTime();
    try {
      extension.start(context, settings).toCompletableFuture().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("extensions." + extension.name() + ": " + e.getMessage(), e);
    } catch (IllegalStateException e) {
      throw new IllegalStateException("extensions." + extension.name() + ": " + e.getMessage(), e);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IllegalArgumentException || cause instanceof ConfigException) {
        throw new ConfigException("extensions." + extension.name() + ": " + cause.getMessage(), cause);
      }
      throw new IllegalStateException("extension " + extension.name() + " failed to start: " + cause, cause);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("extension " + extension.name() + " did not start within "
          + START_TIMEOUT_SECONDS + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting extension " + extension.name(), e);
    }
    context.sealed = true;
    started.add(extension);
    log.info("extension started name={} in {} ms", extension.name(), (System.nanoTime() - begin) / 1_000_000);
  }

  /** Stops the started extensions in reverse order, logging and skipping one that fails. */
  void stopAll() {
    for (int i = started.size() - 1; i >= 0; i--) {
      Extension extension = started.get(i);
      try {
        extension.stop().toCompletableFuture().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        log.info("extension stopped name={}", extension.name());
      } catch (Exception e) {
        log.error("extension {} failed to stop cleanly", extension.name(), e);
      }
    }
    started.clear();
  }

  private static Map<String, Extension> discover(Path folder) {
    Map<String, Extension> found = new LinkedHashMap<>();
    ClassLoader loader = folderLoader(folder);
    for (Extension e : ServiceLoader.load(Extension.class, loader)) {
      found.putIfAbsent(e.name(), e);
    }
    return found;
  }

  private static ClassLoader folderLoader(Path folder) {
    ClassLoader parent = ExtensionHost.class.getClassLoader();
    if (!Files.isDirectory(folder)) {
      return parent;
    }
    List<URL> jars = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path jar : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".jar")).sorted()::iterator) {
        jars.add(jar.toUri().toURL());
      }
    } catch (MalformedURLException e) {
      throw new ConfigException("extensions-dir " + folder + " contains a jar whose path is not a valid URL", e);
    } catch (IOException e) {
      throw new ConfigException("extensions-dir " + folder + " could not be listed: " + e.getMessage(), e);
    }
    return jars.isEmpty() ? parent : new URLClassLoader(jars.toArray(new URL[0]), parent);
  }

  /** The context of one extension; registrations close once its start has completed. */
  private final class Context implements ExtensionContext {
    private volatile boolean sealed;

    private void requireOpen() {
      if (sealed) {
        throw new IllegalStateException("extension hooks must be registered during start");
      }
    }

    @Override
    public java.nio.file.Path dataDir() {
      return core.config().dataDir();
    }

    @Override
    public BrokerStats stats() {
      return core.stats();
    }

    @Override
    public void authenticator(Authenticator authenticator) {
      requireOpen();
      core.authenticator(authenticator);
    }

    @Override
    public void addAuthorizer(Authorizer authorizer) {
      requireOpen();
      core.addAuthorizer(authorizer);
    }

    @Override
    public void addPublishInterceptor(PublishInterceptor interceptor) {
      requireOpen();
      core.addInterceptor(interceptor);
    }

    @Override
    public void addObserver(BrokerObserver observer) {
      requireOpen();
      core.observer().add(observer);
    }

    @Override
    public BrokerObserver observers() {
      return core.observer();
    }

    @Override
    public void sessionStore(SessionStore store) {
      requireOpen();
      core.sessionStore(store);
    }

    @Override
    public void retainedStore(RetainedStore store) {
      requireOpen();
      core.retainedStore(store);
    }

    @Override
    public void publish(Message message) {
      core.router().route(message);
    }

    @Override
    public void publishThrottle(PublishThrottle throttle) {
      requireOpen();
      core.publishThrottle(throttle);
    }

    @Override
    public PublishGate publishGate() {
      return core.publishGate();
    }

    @Override
    public QueueLimits queueLimits() {
      return core.sessions().queueLimits();
    }

    @Override
    public void queueLimits(QueueLimits limits) {
      requireOpen();
      core.queueLimits(limits);
    }

    @Override
    public void redeliveryPolicy(RedeliveryPolicy policy) {
      requireOpen();
      core.redeliveryPolicy(policy);
    }
  }
}
