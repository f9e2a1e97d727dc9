package io.ferrymq.broker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttVersion;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttServer;
import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fails loudly when a Vert.x MQTT or netty upgrade moves one of the internals that
 * {@link VertxMqttAdapter} relies on. The end-to-end tests would fail too, but less clearly.
 */
@Timeout(30)
class VertxMqttAdapterTest {

  @Test
  void mqttServerImplKeepsItsNetServerField() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      MqttServer server = MqttServer.create(vertx);
      Field field = server.getClass().getDeclaredField("server");
      assertThat(field.getType().getName()).isEqualTo("io.vertx.core.net.NetServer");
      VertxMqttAdapter.takeOverConnections(server, channel -> { });
      field.setAccessible(true);
      assertThat(java.lang.reflect.Proxy.isProxyClass(field.get(server).getClass())).isTrue();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  @Test
  void vertxPipelineHandlerNamesAreStillUsed() throws Exception {
    // Vert.x MQTT names its connect-timeout handlers like this; the adapter removes them at CONNECT.
    String source = new String(io.vertx.mqtt.impl.MqttServerImpl.class
        .getResourceAsStream("MqttServerImpl.class").readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(source).contains(VertxMqttAdapter.IDLE_HANDLER).contains(VertxMqttAdapter.CONNECT_TIMEOUT_HANDLER)
        .contains("handler");
  }

  @Test
  void nettyVersionAttributeKeyIsTheDecodersKey() {
    io.netty.channel.embedded.EmbeddedChannel channel = new io.netty.channel.embedded.EmbeddedChannel(
        new io.netty.handler.codec.mqtt.MqttDecoder());
    channel.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {
        0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x0A, 0x00, 0x00, 0x00}));
    assertThat(channel.attr(VertxMqttAdapter.MQTT_VERSION_KEY).get()).isEqualTo(MqttVersion.MQTT_5);
    channel.finishAndReleaseAll();
  }

  @Test
  void wildcardTopicFailureIsRecognised() {
    io.netty.channel.embedded.EmbeddedChannel channel = new io.netty.channel.embedded.EmbeddedChannel(
        new io.netty.handler.codec.mqtt.MqttDecoder());
    channel.attr(VertxMqttAdapter.MQTT_VERSION_KEY).set(MqttVersion.MQTT_3_1_1);
    channel.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {0x30, 0x05, 0x00, 0x03, 'a', '/', '#'}));
    io.netty.handler.codec.mqtt.MqttMessage decoded = channel.readInbound();
    assertThat(MqttConnection.isWildcardTopicFailure(decoded.decoderResult().cause())).isTrue();
    channel.finishAndReleaseAll();
  }
}
