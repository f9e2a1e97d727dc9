package io.ferrymq.broker.protocol;

import io.ferrymq.broker.BrokerCore;
import io.ferrymq.broker.config.BrokerConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * The MQTT listeners of one event loop: TCP, and WebSocket on {@code /mqtt} when configured. The
 * broker deploys one instance per event loop on the same ports, and Vert.x spreads new connections
 * over them, so each connection lives on one loop for its whole life.
 */
public final class Listeners extends VerticleBase {

  private final BrokerCore core;
  private final int tcpPort;
  private final int wsPort;
  private final List<MqttServer> servers = new ArrayList<>();
  private volatile int actualTcpPort = -1;
  private volatile int actualWsPort = -1;

  public Listeners(BrokerCore core, int tcpPort, int wsPort) {
    this.core = core;
    this.tcpPort = tcpPort;
    this.wsPort = wsPort;
  }

  @Override
  public Future<?> start() {
    BrokerConfig config = core.config();
    Future<MqttServer> tcp = listen(options(config, false), tcpPort)
        .onSuccess(s -> actualTcpPort = s.actualPort());
    if (wsPort < 0) {
      return tcp;
    }
    Future<MqttServer> ws = listen(options(config, true), wsPort).onSuccess(s -> actualWsPort = s.actualPort());
    return Future.all(tcp, ws);
  }

  private Future<MqttServer> listen(MqttServerOptions options, int port) {
    MqttServer server = MqttServer.create(vertx, options);
    VertxMqttAdapter.takeOverConnections(server, channel -> MqttConnection.accept(core, channel, context));
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
