package io.ferrymq.broker.interop;

import io.ferrymq.broker.testing.TestBroker;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(300)
class ExploreTest {
  @Test
  void explore() throws Exception {
    Map<String, Scenario<?>> all = new LinkedHashMap<>();
    for (MqttVersion v : new MqttVersion[] {MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5}) {
      all.put("qos " + v, p -> DeliveryScenarios.qosRoundTrip(p, v));
      all.put("lifecycle " + v, p -> RetainedScenarios.retainedLifecycle(p, v));
      all.put("persistent " + v, p -> SessionScenarios.persistentSession(p, v));
      all.put("redelivery " + v, p -> SessionScenarios.redelivery(p, v));
      all.put("takeover " + v, p -> SessionScenarios.takeover(p, v));
      all.put("wills " + v, p -> SessionScenarios.wills(p, v));
      all.put("unsub " + v, p -> SubscriptionScenarios.unsubscribe(p, v));
      all.put("invalid " + v, p -> SubscriptionScenarios.invalidFilter(p, v));
    }
    all.put("overlap", DeliveryScenarios::overlappingSubscriptions);
    all.put("nolocal", DeliveryScenarios::noLocal);
    all.put("expiry", DeliveryScenarios::messageExpiry);
    all.put("rap", RetainedScenarios::retainAsPublished);
    all.put("rh", RetainedScenarios::retainHandling);
    all.put("emptyid", SessionScenarios::emptyClientId);
    try (TestBroker ferry = TestBroker.start(); HiveMqBroker hive = HiveMqBroker.start()) {
      for (var e : all.entrySet()) {
        for (var b : new Object[][] {{"ferry", ferry.port()}, {"hive", hive.port()}}) {
          long t0 = System.nanoTime();
          Object r;
          try {
            r = e.getValue().observe((Integer) b[1]);
          } catch (Throwable t) {
            r = "FAILED " + t;
          }
          System.out.println("OBS " + e.getKey() + " " + b[0] + " (" + (System.nanoTime() - t0) / 1_000_000 + " ms): " + r);
        }
      }
    }
  }
}
