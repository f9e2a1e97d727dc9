package io.ferrymq.broker.protocol;

import io.ferrymq.broker.BrokerCore;
import io.ferrymq.broker.config.BrokerConfig;
import io.ferrymq.broker.util.RateLimitedLog;
import io.netty.handler.ssl.NotSslRecordException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT listeners of one event loop: TCP, and when configured TLS, WebSocket and secure WebSocket,
 * the last two on path {@code /mqtt}. The
 * broker deploys one instance per event loop on the same ports, and Vert.x spreads new connections
 * over them, so each connection lives on one loop for its whole life.
 */
public final class Listeners extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(Listeners.class);
  // One per class, so a scan or a misconfigured fleet logs one line per 10 s over all event loops.
  private static final RateLimitedLog handshakeFailures = new RateLimitedLog(log, 10_000);

  private final BrokerCore core;
  private final Ports ports;
  private final List<MqttServer> servers = new ArrayList<>();
  private volatile int actualTcpPort = -1;
  private volatile int actualWsPort = -1;

  /** The port of each listener; -1 leaves that listener off. */
  public record Ports(int tcp, int ws, int tls, int wss) {
  }

  public Listeners(BrokerCore core, Ports ports) {
    this.core = core;
    this.ports = ports;
  }

  @Override
  public Future<?> start() {
    BrokerConfig config = core.config();
    List<Future<MqttServer>> listening = new ArrayList<>();
    listening.add(listen(options(config, false), ports.tcp()).onSuccess(s -> actualTcpPort = s.actualPort()));
    if (ports.ws() >= 0) {
      listening.add(listen(options(config, true), ports.ws()).onSuccess(s -> actualWsPort = s.actualPort()));
    }
    if (ports.tls() >= 0) {
      listening.add(listen(withTls(options(config, false), config), ports.tls()));
    }
    if (ports.wss() >= 0) {
      listening.add(listen(withTls(options(config, true), config), ports.wss()));
    }
    return Future.all(listening);
  }

  /**
   * Adds TLS to {@code options}. Vert.x reads the PEM files when the listener binds, so a file that does
   * not parse fails the start, which names tls-cert and tls-key.
   */
  private static MqttServerOptions withTls(MqttServerOptions options, BrokerConfig config) {
    options.setSsl(true);
    options.setKeyCertOptions(new PemKeyCertOptions()
        .setCertPath(config.tlsCert().toString())
        .setKeyPath(config.tlsKey().toString()));
    if (config.tlsClientCa() != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(config.tlsClientCa().toString()));
      options.setClientAuth(ClientAuth.REQUIRED);
    }
    return options;
  }

  private Future<MqttServer> listen(MqttServerOptions options, int port) {
    MqttServer server = MqttServer.create(vertx, options);
    VertxMqttAdapter.takeOverConnections(server, channel -> MqttConnection.accept(core, channel, context));
    if (options.isSsl()) {
      // A failed handshake never becomes a connection, so only the server's exception handler receives it.
      VertxMqttAdapter.onAcceptFailure(server, Listeners::logHandshakeFailure);
    }
    servers.add(server);
    return server.listen(port, core.config().host());
  }

  private static MqttServerOptions options(BrokerConfig config, boolean webSocket) {
    MqttServerOptions options = new MqttServerOptions()
        .setHost(config.host())
        .setMaxMessageSize(config.maxPacketSize())
        .setMaxClientIdLength(config.maxClientIdLength())
        .setTimeoutOnConnect(config.connectTimeoutSeconds())
        .setUseWebSocket(webSocket);
    options.setTcpNoDelay(true);
    if (webSocket) {
      // Vert.x MQTT needs each packet in one frame; leave room for the frame header.
      options.setWebSocketMaxFrameSize(config.maxPacketSize() + 16);
    }
    return options;
  }

  /**
   * Logs a connection that failed its TLS handshake. Vert.x passes no remote address with the error, so
   * the line names the cause only.
   */
  private static void logHandshakeFailure(Throwable error) {
    if (error instanceof NotSslRecordException) {
      handshakeFailures.info("TLS listener received bytes that are not TLS, most likely from a plain MQTT client; "
          + "connect such clients to the plain MQTT port or turn on TLS in the client");
      return;
    }
    handshakeFailures.info("TLS handshake failed before CONNECT error={}", error.toString());
  }

  @Override
  public Future<?> stop() {
    List<Future<Void>> closing = new ArrayList<>();
    for (MqttServer server : servers) {
      closing.add(server.close());
    }
    return Future.all(closing);
  }

  public int actualTcpPort() {
    return actualTcpPort;
  }

  public int actualWsPort() {
    return actualWsPort;
  }

}
