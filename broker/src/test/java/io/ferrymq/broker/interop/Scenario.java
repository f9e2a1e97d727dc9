package io.ferrymq.broker.interop;

import io.netty.handler.codec.mqtt.MqttVersion;
import java.time.Duration;

/**
 * One client script of the differential tests: it runs against the broker listening on
 * {@code port} at 127.0.0.1 and returns what its clients observed, as a value that compares with
 * {@code equals}. Each script uses its own client ids and topics, so scripts can share a broker.
 */
@FunctionalInterface
interface Scenario<T> {

  /** How long a script waits to prove that no further PUBLISH arrives. Loopback delivery takes milliseconds. */
  Duration QUIET = Duration.ofMillis(500);

  T observe(int port) throws Exception;

  /** Returns a short protocol tag for client ids and topics, so that v3.1.1 and v5 runs do not meet. */
  static String tag(MqttVersion version) {
    return version == MqttVersion.MQTT_5 ? "v5" : "v311";
  }
}
