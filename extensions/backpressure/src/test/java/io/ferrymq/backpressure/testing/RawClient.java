package io.ferrymq.backpressure.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A byte-level MQTT client for protocol tests. It sends exactly the packets a test builds, or raw
 * bytes, and misbehaves on purpose. Every packet the broker sends comes back decoded by netty's codec,
 * so tests can assert packet types, flags and reason codes.
 */
public final class RawClient implements AutoCloseable {

  /** Stands in the queue for the end of the stream: the broker closed the connection. */
  public static final MqttMessage CLOSED = new MqttMessage(null);
  private static final AttributeKey<MqttVersion> VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");

  private final Socket socket;
  private final OutputStream out;
  private final EmbeddedChannel encoder = new EmbeddedChannel(MqttEncoder.INSTANCE);
  private final EmbeddedChannel decoder = new EmbeddedChannel(new MqttDecoder(16 * 1024 * 1024));
  private final BlockingQueue<MqttMessage> inbox = new LinkedBlockingQueue<>();
  private final Thread reader;
  private final Object readGate = new Object();
  private volatile boolean acknowledgePublishes;
  private volatile java.util.function.Consumer<io.netty.handler.codec.mqtt.MqttPublishMessage> publishListener;
  private boolean readingPaused;

  public RawClient(int port) throws IOException {
    this.socket = new Socket();
    // A small receive buffer makes a client that stops reading fill its TCP window quickly.
    socket.setReceiveBufferSize(8192);
    socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
    socket.setTcpNoDelay(true);
    this.out = socket.getOutputStream();
    this.reader = new Thread(this::readLoop, "raw-client-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Sets the protocol version for encoding and decoding, as CONNECT would. */
  public void version(MqttVersion version) {
    encoder.attr(VERSION).set(version);
    decoder.attr(VERSION).set(version);
  }

  /** Sends CONNECT and returns the first packet the broker sends back. */
  public MqttMessage connect(MqttVersion version, String clientId, boolean cleanStart, int keepAlive,
                             MqttProperties props) throws IOException, InterruptedException {
    version(version);
    MqttConnectMessage connect = MqttMessageBuilders.connect()
        .protocolVersion(version)
        .clientId(clientId)
        .cleanSession(cleanStart)
        .keepAlive(keepAlive)
        .properties(props == null ? MqttProperties.NO_PROPERTIES : props)
        .build();
    send(connect);
    return next();
  }

  public synchronized void send(MqttMessage message) throws IOException {
    encoder.writeOutbound(message);
    ByteBuf encoded;
    while ((encoded = encoder.readOutbound()) != null) {
      byte[] bytes = new byte[encoded.readableBytes()];
      encoded.readBytes(bytes);
      encoded.release();
      sendBytes(bytes);
    }
  }

  public synchronized void sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Returns the next packet from the broker, or {@link #CLOSED}; fails after 10 s of silence. */
  public MqttMessage next() throws InterruptedException {
    return next(10_000);
  }

  public MqttMessage next(long timeoutMillis) throws InterruptedException {
    MqttMessage m = inbox.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    if (m == null) {
      throw new AssertionError("no packet from the broker within " + timeoutMillis + " ms");
    }
    return m;
  }

  /** Returns the next packet, or null when none arrives within {@code timeoutMillis}. */
  public MqttMessage poll(long timeoutMillis) throws InterruptedException {
    return inbox.poll(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  private void readLoop() {
    byte[] buffer = new byte[65536];
    try (InputStream in = socket.getInputStream()) {
      int n;
      while (awaitReading() && (n = in.read(buffer)) >= 0) {
        decoder.writeInbound(Unpooled.copiedBuffer(buffer, 0, n));
        Object decoded;
        while ((decoded = decoder.readInbound()) != null) {
          MqttMessage message = (MqttMessage) decoded;
          if (publishListener != null && message instanceof io.netty.handler.codec.mqtt.MqttPublishMessage publish) {
            acceptPublish(publish);
            continue;
          }
          inbox.add(message);
        }
      }
    } catch (IOException e) {
      // A reset or a closed socket ends the stream like EOF does.
    } finally {
      inbox.add(CLOSED);
    }
  }

  /**
   * Stops reading from the socket, as a stalled subscriber does, so that the broker's writes fill the
   * TCP window. At most one read already in progress completes.
   */
  public void pauseReading() {
    synchronized (readGate) {
      readingPaused = true;
    }
  }

  public void resumeReading() {
    synchronized (readGate) {
      readingPaused = false;
      readGate.notifyAll();
    }
  }

  private boolean awaitReading() {
    synchronized (readGate) {
      while (readingPaused) {
        try {
          readGate.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  /**
   * Hands every later PUBLISH to {@code listener} on the reader thread, as soon as it is decoded, and
   * acknowledges QoS 1 ones at once, as a healthy subscriber does. Other packets still go to the inbox.
   */
  public void onPublish(java.util.function.Consumer<io.netty.handler.codec.mqtt.MqttPublishMessage> listener) {
    this.acknowledgePublishes = true;
    this.publishListener = listener;
  }

  /** Hands every later PUBLISH to {@code listener} like {@link #onPublish}, but never acknowledges one. */
  public void watchPublishes(java.util.function.Consumer<io.netty.handler.codec.mqtt.MqttPublishMessage> listener) {
    this.acknowledgePublishes = false;
    this.publishListener = listener;
  }

  private void acceptPublish(io.netty.handler.codec.mqtt.MqttPublishMessage publish) throws IOException {
    try {
      publishListener.accept(publish);
      if (acknowledgePublishes && publish.fixedHeader().qosLevel() == io.netty.handler.codec.mqtt.MqttQoS.AT_LEAST_ONCE) {
        send(MqttMessageBuilders.pubAck().packetId(publish.variableHeader().packetId()).build());
      }
    } finally {
      ReferenceCountUtil.release(publish);
    }
  }

  /** Releases a packet's buffers once a test has read it. */
  public static void release(MqttMessage message) {
    ReferenceCountUtil.release(message);
  }

  @Override
  public void close() throws IOException {
    socket.close();
    encoder.finishAndReleaseAll();
    decoder.finishAndReleaseAll();
  }
}
