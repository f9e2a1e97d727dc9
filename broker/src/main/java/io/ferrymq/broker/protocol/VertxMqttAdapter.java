package io.ferrymq.broker.protocol;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.mqtt.MqttServer;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.function.Consumer;

/**
 * The one place that reaches into Vert.x MQTT and netty internals; everything else in the broker
 * uses the plain methods of {@link ClientChannel}.
 *
 * <p>Vert.x MQTT 5.0.7 sets up the listener, the netty MQTT codec and the WebSocket transport well,
 * but its {@code MqttEndpoint} cannot carry what MQTT 5 needs: it has no flow control, drops the
 * reason codes of PUBREC, PUBREL and PUBCOMP, copies each payload twice per subscriber, rejects an
 * empty client id with Clean Start 0 before the broker sees it, and closes on a protocol error
 * without a DISCONNECT reason code. So, for each new socket, right after Vert.x has built the
 * pipeline, this adapter takes the decoded netty packets for itself and writes netty packets back,
 * with pause and resume on the socket for TCP backpressure.
 *
 * <p>The internals used: the {@code server} field of {@code MqttServerImpl} (wrapped so that the
 * connect handler can be extended), {@link NetSocketInternal} (packet-level read and write), the
 * pipeline handler names {@code idle} and {@code timeoutOnConnect} that Vert.x installs, and the
 * channel attribute in which netty's decoder records the protocol version.
 * {@code VertxMqttAdapterTest} fails when a Vert.x or netty upgrade changes any of them.
 */
public final class VertxMqttAdapter {

  static final String IDLE_HANDLER = "idle";
  static final String CONNECT_TIMEOUT_HANDLER = "timeoutOnConnect";
  static final String KEEP_ALIVE_HANDLER = "ferrymqKeepAlive";
  // netty's MqttCodecUtil keeps this key package-private; AttributeKey.valueOf returns the same
  // instance for the same name.
  static final AttributeKey<MqttVersion> MQTT_VERSION_KEY = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");

  private VertxMqttAdapter() {
  }

  /**
   * Makes {@code server} hand every new socket to {@code onChannel} instead of creating Vert.x MQTT
   * endpoints. Call before {@code listen}.
   *
   * @throws IllegalStateException when this Vert.x MQTT version has a different inner shape
   */
  public static void takeOverConnections(MqttServer server, Consumer<ClientChannel> onChannel) {
    // listen() insists on an endpoint handler; it is never called because the packets are taken first.
    server.endpointHandler(endpoint -> endpoint.close());
    try {
      Field field = server.getClass().getDeclaredField("server");
      field.setAccessible(true);
      NetServer original = (NetServer) field.get(server);
      field.set(server, wrap(original, onChannel));
    } catch (NoSuchFieldException | IllegalAccessException | ClassCastException e) {
      throw new IllegalStateException("Vert.x MQTT " + server.getClass().getName()
          + " has no NetServer field named 'server'; this adapter needs updating for the Vert.x version", e);
    }
  }

  /**
   * Passes to {@code handler} the errors of connections that fail before Vert.x hands them over, such
   * as a failed TLS handshake. Vert.x MQTT 5.0.7 keeps its own exception handler for accepted
   * connections only, so this goes to the NetServer inside it. Call after {@link #takeOverConnections}.
   */
  public static void onAcceptFailure(MqttServer server, Handler<Throwable> handler) {
    try {
      Field field = server.getClass().getDeclaredField("server");
      field.setAccessible(true);
      ((NetServer) field.get(server)).exceptionHandler(handler);
    } catch (NoSuchFieldException | IllegalAccessException | ClassCastException e) {
      throw new IllegalStateException("Vert.x MQTT " + server.getClass().getName()
          + " has no NetServer field named 'server'; this adapter needs updating for the Vert.x version", e);
    }
  }

  private static NetServer wrap(NetServer original, Consumer<ClientChannel> onChannel) {
    InvocationHandler handler = (proxy, method, args) -> {
      if (method.getName().equals("connectHandler") && args != null && args.length == 1) {
        @SuppressWarnings("unchecked")
        Handler<NetSocket> vertxSetup = (Handler<NetSocket>) args[0];
        original.connectHandler(socket -> {
          vertxSetup.handle(socket);
          onChannel.accept(new ClientChannel((NetSocketInternal) socket));
        });
        return proxy;
      }
      try {
        return method.invoke(original, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    };
    return (NetServer) Proxy.newProxyInstance(VertxMqttAdapter.class.getClassLoader(), allInterfaces(original), handler);
  }

  private static Class<?>[] allInterfaces(Object target) {
    java.util.LinkedHashSet<Class<?>> all = new java.util.LinkedHashSet<>();
    for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
      for (Class<?> i : c.getInterfaces()) {
        all.add(i);
      }
    }
    return all.toArray(new Class<?>[0]);
  }

  /**
   * One client socket at the packet level. All methods must be called on the socket's event loop,
   * except where noted.
   */
  public static final class ClientChannel {
    private final NetSocketInternal socket;
    private Handler<Void> drainWaiter;
    private Runnable idleHandler = () -> { };

    ClientChannel(NetSocketInternal socket) {
      this.socket = socket;
    }

    /** Receives each decoded netty MQTT packet; the handler owns the packet and must release it. */
    public void packetHandler(Handler<Object> handler) {
      socket.messageHandler(handler);
    }

    /**
     * Sets what runs when the keep-alive of {@link #keepAlive} expires. It runs on the netty event
     * loop outside any Vert.x context, so it should hop onto the connection's context.
     */
    public void idleHandler(Runnable handler) {
      this.idleHandler = handler;
    }

    public void closeHandler(Handler<Void> handler) {
      socket.closeHandler(handler);
    }

    public void exceptionHandler(Handler<Throwable> handler) {
      socket.exceptionHandler(handler);
    }

    /** Writes a netty MQTT packet; the encoder releases it. */
    public Future<Void> write(Object packet) {
      return socket.writeMessage(packet);
    }

    public boolean isWritable() {
      return !socket.writeQueueFull();
    }

    /** Runs {@code task} once, the next time the write queue drains. */
    public void whenWritable(Runnable task) {
      drainWaiter = v -> {
        socket.drainHandler(null);
        drainWaiter = null;
        task.run();
      };
      socket.drainHandler(drainWaiter);
    }

    /** Stops reading from the socket, so TCP slows the client down. */
    public void pauseReading() {
      socket.pause();
    }

    public void resumeReading() {
      socket.resume();
    }

    public Future<Void> close() {
      return socket.close();
    }

    public String remoteAddress() {
      return String.valueOf(socket.remoteAddress());
    }

    /**
     * Replaces the connect timeout with keep-alive enforcement: the connection is idle after
     * {@code seconds} without any packet from the client. Zero turns enforcement off.
     */
    public void keepAlive(int seconds) {
      ChannelPipeline pipeline = socket.channelHandlerContext().pipeline();
      if (pipeline.get(CONNECT_TIMEOUT_HANDLER) != null) {
        pipeline.remove(CONNECT_TIMEOUT_HANDLER);
      }
      if (pipeline.get(IDLE_HANDLER) != null) {
        pipeline.remove(IDLE_HANDLER);
      }
      if (pipeline.get(KEEP_ALIVE_HANDLER) != null) {
        pipeline.remove(KEEP_ALIVE_HANDLER);
      }
      if (seconds > 0) {
        pipeline.addBefore("handler", IDLE_HANDLER, new IdleStateHandler(seconds, 0, 0));
        // Vert.x closes an idle connection silently. This handler takes the event first, so the broker
        // can send DISCONNECT 0x8D (Keep Alive timeout) before closing.
        pipeline.addAfter(IDLE_HANDLER, KEEP_ALIVE_HANDLER, new ChannelInboundHandlerAdapter() {
          @Override
          public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof IdleStateEvent) {
              idleHandler.run();
              return;
            }
            super.userEventTriggered(ctx, event);
          }
        });
      }
    }

    /**
     * Sets the protocol version that netty's encoder uses for this channel. The decoder sets it when
     * it reads CONNECT; the broker sets it itself to reply to a CONNECT it could not decode.
     */
    public void protocolVersion(int level) {
      ChannelHandlerContext ctx = socket.channelHandlerContext();
      MqttVersion version = switch (level) {
        case 5 -> MqttVersion.MQTT_5;
        case 3 -> MqttVersion.MQTT_3_1;
        default -> MqttVersion.MQTT_3_1_1;
      };
      ctx.channel().attr(MQTT_VERSION_KEY).set(version);
    }

    /** The version netty's decoder read from CONNECT, as the protocol level byte, or 0 before CONNECT. */
    public int decodedProtocolVersion() {
      MqttVersion version = socket.channelHandlerContext().channel().attr(MQTT_VERSION_KEY).get();
      return version == null ? 0 : version.protocolLevel();
    }
  }
}
