package io.ferrymq.broker;

import io.ferrymq.broker.config.BrokerConfig;
import io.ferrymq.broker.protocol.Listeners;
import io.ferrymq.spi.Extension;
import io.ferrymq.spi.ReasonCode;
import io.ferrymq.spi.storage.RetainedStore;
import io.ferrymq.spi.storage.SessionStore;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MQTT broker in this process: the embedding API that the launcher, the tests and applications
 * use.
 *
 * <pre>{@code
 * FerryBroker broker = FerryBroker.builder()
 *     .config(BrokerConfig.builder().port(0).build())
 *     .start();
 * int port = broker.port();
 * ...
 * broker.stop();
 * }</pre>
 */
public final class FerryBroker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FerryBroker.class);
  private static final long STEP_TIMEOUT_SECONDS = 30;

  private final BrokerConfig config;
  private final Vertx vertx;
  private final BrokerCore core;
  private final ExtensionHost extensions;
  private final List<String> deployments = new ArrayList<>();
  private int port = -1;
  private int wsPort = -1;
  private int tlsPort = -1;
  private int wssPort = -1;
  private boolean stopped;

  private SessionStore givenSessionStore;
  private RetainedStore givenRetainedStore;

  private FerryBroker(BrokerConfig config) {
    this.config = config;
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(config.eventLoops()));
    this.core = new BrokerCore(config, vertx);
    this.extensions = new ExtensionHost(core);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Returns the bound MQTT over TCP port. */
  public int port() {
    return port;
  }

  /** Returns the bound MQTT over WebSocket port, or -1 when that listener is off. */
  public int wsPort() {
    return wsPort;
  }

  /** Returns the bound MQTT over TLS port, or -1 when that listener is off. */
  public int tlsPort() {
    return tlsPort;
  }

  /** Returns the bound MQTT over secure WebSocket port, or -1 when that listener is off. */
  public int wssPort() {
    return wssPort;
  }

  public BrokerConfig config() {
    return config;
  }

  /** Returns the broker's internals, for tests in this module. */
  BrokerCore core() {
    return core;
  }

  private void start(List<Extension> given) {
    long begin = System.nanoTime();
    try {
      extensions.startAll(given);
      if (givenSessionStore != null) {
        core.sessionStore(givenSessionStore);
      }
      if (givenRetainedStore != null) {
        core.retainedStore(givenRetainedStore);
      }
      core.restoreFromStores();
      deployListeners();
    } catch (RuntimeException e) {
      stopQuietly();
      throw e;
    }
    log.info("FerryMQ started mqtt={}:{} websocket={} tls={} secure-websocket={} eventLoops={} in {} ms",
        config.host(), port, wsPort < 0 ? "off" : config.host() + ":" + wsPort + "/mqtt",
        tlsPort < 0 ? "off" : config.host() + ":" + tlsPort,
        wssPort < 0 ? "off" : config.host() + ":" + wssPort + "/mqtt", config.eventLoops(),
        (System.nanoTime() - begin) / 1_000_000);
  }

  private void deployListeners() {
    // Vert.x shares one bound socket among the instances only when they ask for the same fixed
    // port, so port 0 is turned into a free port first.
    int tcp = freePortFor(config.port());
    int ws = config.wsPort() < 0 ? -1 : freePortFor(config.wsPort());
    int tls = config.tlsPort() < 0 ? -1 : freePortFor(config.tlsPort());
    int wss = config.wssPort() < 0 ? -1 : freePortFor(config.wssPort());
    boolean anyTls = tls >= 0 || wss >= 0;
    String where = "binding the MQTT listeners on " + config.host() + " port " + tcp
        + (ws < 0 ? "" : " and WebSocket port " + ws)
        + (tls < 0 ? "" : " and TLS port " + tls)
        + (wss < 0 ? "" : " and secure WebSocket port " + wss)
        + (anyTls ? " with tls-cert " + config.tlsCert() + " and tls-key " + config.tlsKey() : "")
        + (anyTls && config.tlsClientCa() != null ? " and tls-client-ca " + config.tlsClientCa() : "");
    String fix = "set --port" + (ws < 0 ? "" : ", --ws-port") + (tls < 0 ? "" : ", --tls-port")
        + (wss < 0 ? "" : ", --wss-port") + " to free ports"
        + (anyTls ? "; for TLS, check that tls-cert and tls-key are PEM files and that the key matches the certificate"
            : "");
    Listeners.Ports ports = new Listeners.Ports(tcp, ws, tls, wss);
    try {
      deployments.add(await(vertx.deployVerticle(() -> new Listeners(core, ports),
          new DeploymentOptions().setInstances(config.eventLoops())), where));
    } catch (IllegalStateException e) {
      throw new IllegalStateException(e.getMessage() + "; " + fix, e.getCause());
    }
    port = tcp;
    wsPort = ws;
    tlsPort = tls;
    wssPort = wss;
  }

  private int freePortFor(int requested) {
    if (requested != 0) {
      return requested;
    }
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(config.host()))) {
      return probe.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on " + config.host() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Stops gracefully: MQTT 5 clients get DISCONNECT 0x8B (Server shutting down), the listeners close,
   * then the extensions stop, so that stores flush after the last message was taken in.
   */
  public synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    log.info("FerryMQ stopping");
    core.shuttingDown();
    try {
      await(core.sessions().disconnectAll(ReasonCode.SERVER_SHUTTING_DOWN, "server shutting down"),
          "disconnecting clients");
    } catch (RuntimeException e) {
      log.warn("sending DISCONNECT to every client failed or timed out: {}", e.toString());
    }
    stopQuietly();
    log.info("FerryMQ stopped");
  }

  private void stopQuietly() {
    for (String id : deployments) {
      try {
        await(vertx.undeploy(id), "closing listeners");
      } catch (RuntimeException e) {
        log.warn("closing a listener failed: {}", e.toString());
      }
    }
    deployments.clear();
    extensions.stopAll();
    try {
      await(vertx.close(), "closing Vert.x");
    } catch (RuntimeException e) {
      log.warn("closing Vert.x failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    stop();
  }

  private static <T> T await(Future<T> future, String step) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(step + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(step + " timed out after " + STEP_TIMEOUT_SECONDS + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(step + " was interrupted", e);
    }
  }

  /** Collects the config and extra extension instances, then starts a broker. */
  public static final class Builder {
    private BrokerConfig config = BrokerConfig.builder().build();
    private final List<Extension> extensions = new ArrayList<>();
    private SessionStore sessionStore;
    private RetainedStore retainedStore;

    private Builder() {
    }

    public Builder config(BrokerConfig value) {
      this.config = value;
      return this;
    }

    /**
     * Adds an extension instance besides those that {@link java.util.ServiceLoader} finds; it still
     * runs only when its config section sets {@code enabled: true}.
     */
    public Builder extension(Extension extension) {
      this.extensions.add(extension);
      return this;
    }

    /**
     * Makes persistent sessions durable in {@code store}, as an extension could; an application that
     * stops and starts an embedded broker with the same store keeps its sessions.
     */
    public Builder sessionStore(SessionStore store) {
      this.sessionStore = store;
      return this;
    }

    /** Makes retained messages durable in {@code store}. */
    public Builder retainedStore(RetainedStore store) {
      this.retainedStore = store;
      return this;
    }

    /** Starts the broker and returns once its listeners are bound. */
    public FerryBroker start() {
      FerryBroker broker = new FerryBroker(config);
      broker.givenSessionStore = sessionStore;
      broker.givenRetainedStore = retainedStore;
      broker.start(extensions);
      return broker;
    }
  }
}
