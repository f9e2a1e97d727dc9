package io.ferrymq.broker.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrymq.broker.FerryBroker;
import io.ferrymq.broker.config.BrokerConfig;
import io.ferrymq.broker.config.ConfigException;
import io.ferrymq.broker.testing.RawClient;
import io.ferrymq.broker.testing.TestBroker;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.ferrymq.broker.testing.V5Client;
import io.ferrymq.spi.BrokerObserver;
import io.ferrymq.spi.ConnectInfo;
import io.ferrymq.spi.DropReason;
import io.ferrymq.spi.Extension;
import io.ferrymq.spi.ExtensionContext;
import io.ferrymq.spi.InterceptResult;
import io.ferrymq.spi.Message;
import io.ferrymq.spi.ReasonCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ExtensionSpiTest {

  /** An extension whose hooks a test sets up in a lambda. */
  static final class TestExtension implements Extension {
    private final Consumer<ExtensionContext> setup;
    volatile Map<String, Object> startedWith;
    volatile boolean stopped;

    TestExtension(Consumer<ExtensionContext> setup) {
      this.setup = setup;
    }

    @Override
    public String name() {
      return "test-extension";
    }

    @Override
    public CompletionStage<Void> start(ExtensionContext context, Map<String, Object> config) {
      if (config.containsKey("fail")) {
        throw new IllegalArgumentException("fail is not a valid setting");
      }
      startedWith = config;
      setup.accept(context);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> stop() {
      stopped = true;
      return CompletableFuture.completedFuture(null);
    }
  }

  private static TestBroker start(TestExtension extension, Map<String, Object> section) {
    return TestBroker.start(FerryBroker.builder()
        .config(BrokerConfig.builder().port(0).eventLoops(2).extension("test-extension", section).build())
        .extension(extension));
  }

  @Test
  void enabledExtensionStartsWithItsSettingsAndStops() {
    TestExtension ext = new TestExtension(c -> { });
    try (TestBroker broker = start(ext, Map.of("enabled", true, "window", 5))) {
      assertThat(ext.startedWith).containsExactly(Map.entry("window", 5));
    }
    assertThat(ext.stopped).isTrue();
  }

  @Test
  void disabledExtensionDoesNotStart() {
    TestExtension ext = new TestExtension(c -> { });
    try (TestBroker broker = start(ext, Map.of("enabled", false))) {
      assertThat(ext.startedWith).isNull();
    }
  }

  @Test
  void invalidExtensionSettingStopsStartupNamingIt() {
    TestExtension ext = new TestExtension(c -> { });
    assertThatThrownBy(() -> start(ext, Map.of("enabled", true, "fail", 1)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("extensions.test-extension: fail is not a valid setting");
  }

  @Test
  void unknownExtensionKeyIsRejected() {
    assertThatThrownBy(() -> TestBroker.start(b -> b.extension("no-such", Map.of("enabled", true))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("extensions.no-such: no such extension");
  }

  @Test
  void authenticatorRejectionReachesClientAsReasonCode() throws Exception {
    TestExtension ext = new TestExtension(c -> c.authenticator(info -> CompletableFuture.completedFuture(
        "secret".equals(info.password() == null ? null : new String(info.password(), StandardCharsets.UTF_8))
            ? ReasonCode.SUCCESS : ReasonCode.BAD_USER_NAME_OR_PASSWORD)));
    try (TestBroker broker = start(ext, Map.of("enabled", true))) {
      assertThatThrownBy(() -> V5Client.connect(broker, "intruder", o -> {
        o.setUserName("dev");
        o.setPassword("wrong".getBytes(StandardCharsets.UTF_8));
      })).isInstanceOf(MqttException.class)
          .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isEqualTo(0x86));
      try (V5Client ok = V5Client.connect(broker, "device", o -> {
        o.setUserName("dev");
        o.setPassword("secret".getBytes(StandardCharsets.UTF_8));
      })) {
        assertThat(ok.client.isConnected()).isTrue();
      }
    }
  }

  @Test
  void authorizerDeniesPublishWithPuback0x87() throws Exception {
    TestExtension ext = new TestExtension(c -> c.addAuthorizer(new io.ferrymq.spi.Authorizer() {
      @Override
      public boolean mayPublish(ConnectInfo client, String topic) {
        return !topic.startsWith("admin/");
      }
    }));
    try (TestBroker broker = start(ext, Map.of("enabled", true));
         V5Client sub = V5Client.connect(broker, "sub");
         RawClient pub = new RawClient(broker.port())) {
      sub.client.subscribe("#", 1);
      pub.connect(MqttVersion.MQTT_5, "pub", true, 60, null);
      pub.send(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE, false, 0),
          new MqttPublishVariableHeader("admin/reset", 1, MqttProperties.NO_PROPERTIES), Unpooled.buffer(0)));
      MqttMessage denied = pub.next();
      assertThat(((MqttPubReplyMessageVariableHeader) denied.variableHeader()).reasonCode()).isEqualTo((byte) 0x87);
      pub.send(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE, false, 0),
          new MqttPublishVariableHeader("user/a", 2, MqttProperties.NO_PROPERTIES), Unpooled.buffer(0)));
      MqttMessage accepted = pub.next();
      assertThat(((MqttPubReplyMessageVariableHeader) accepted.variableHeader()).reasonCode()).isEqualTo((byte) 0x00);
      assertThat(sub.next().topic()).isEqualTo("user/a");
    }
  }

  @Test
  void interceptorChainDropsChangesAndDelaysInOrder() throws Exception {
    Map<DropReason, Integer> drops = new ConcurrentHashMap<>();
    TestExtension ext = new TestExtension(c -> {
      c.addPublishInterceptor(p -> CompletableFuture.completedFuture(p.message().topic().endsWith("/spam")
          ? InterceptResult.drop(DropReason.DUPLICATE, ReasonCode.SUCCESS) : InterceptResult.pass()));
      c.addPublishInterceptor(p -> CompletableFuture.supplyAsync(() -> InterceptResult.replace(
          p.message().toBuilder().payload(("[" + p.message().payloadAsString() + "]").getBytes(StandardCharsets.UTF_8))
              .build()), CompletableFuture.delayedExecutor(p.message().payloadAsString().equals("0") ? 200 : 0,
          TimeUnit.MILLISECONDS)));
      c.addObserver(new BrokerObserver() {
        @Override
        public void onDrop(Message message, String clientId, DropReason reason) {
          drops.merge(reason, 1, Integer::sum);
        }
      });
    });
    try (TestBroker broker = start(ext, Map.of("enabled", true));
         V5Client sub = V5Client.connect(broker, "sub");
         V5Client pub = V5Client.connect(broker, "pub")) {
      sub.client.subscribe("chain/#", 1);
      pub.client.publish("chain/spam", "s".getBytes(StandardCharsets.UTF_8), 1, false);
      for (int i = 0; i < 5; i++) {
        pub.client.publish("chain/x", Integer.toString(i).getBytes(StandardCharsets.UTF_8), 1, false);
      }
      for (int i = 0; i < 5; i++) {
        // The first publish waits 200 ms in the chain; order must still hold.
        assertThat(sub.next().text()).isEqualTo("[" + i + "]");
      }
      Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> drops.getOrDefault(DropReason.DUPLICATE, 0) == 1);
    }
  }

  @Test
  void publishFromExtensionIsRouted() throws Exception {
    ExtensionContext[] saved = new ExtensionContext[1];
    TestExtension ext = new TestExtension(c -> saved[0] = c);
    try (TestBroker broker = start(ext, Map.of("enabled", true));
         V5Client sub = V5Client.connect(broker, "sys-sub")) {
      sub.client.subscribe("$SYS/#", 0);
      saved[0].publish(Message.builder("$SYS/broker/uptime").payload("5".getBytes(StandardCharsets.UTF_8)).build());
      V5Client.Received r = sub.next();
      assertThat(r.topic()).isEqualTo("$SYS/broker/uptime");
      assertThat(r.text()).isEqualTo("5");
    }
  }

  @Test
  void slowInterceptorPausesPublisherInsteadOfBuffering() throws Exception {
    java.util.concurrent.atomic.AtomicInteger taken = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger passed = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger maxBacklog = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.ScheduledExecutorService slow = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    TestExtension ext = new TestExtension(c -> {
      c.addObserver(new BrokerObserver() {
        @Override
        public void onPublishIn(Message message) {
          maxBacklog.accumulateAndGet(taken.incrementAndGet() - passed.get(), Math::max);
        }
      });
      c.addPublishInterceptor(p -> {
        CompletableFuture<InterceptResult> later = new CompletableFuture<>();
        slow.schedule(() -> {
          passed.incrementAndGet();
          later.complete(InterceptResult.pass());
        }, 2, TimeUnit.MILLISECONDS);
        return later;
      });
    });
    try (TestBroker broker = start(ext, Map.of("enabled", true));
         RawClient pub = new RawClient(broker.port())) {
      pub.connect(MqttVersion.MQTT_5, "fast-pub", true, 60, null);
      // 300 PUBLISH packets of 2 KiB at QoS 0: far more than one socket read, so without a pause the
      // broker would take them all off the socket while the interceptor crawls through them.
      byte[] payload = new byte[2048];
      java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
      for (int i = 0; i < 300; i++) {
        byte[] topic = "slow/x".getBytes(StandardCharsets.UTF_8);
        int remaining = 2 + topic.length + 1 + payload.length;
        all.write(0x30);
        all.write((remaining & 0x7F) | 0x80);
        all.write(remaining >> 7);
        all.write(0);
        all.write(topic.length);
        all.write(topic);
        all.write(0);
        all.write(payload);
      }
      pub.sendBytes(all.toByteArray());
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> passed.get() == 300);
      assertThat(maxBacklog.get()).isLessThan(150);
    } finally {
      slow.shutdownNow();
    }
  }
}
