package io.ferrymq.persistence;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** A Paho MQTT 5 client that records what arrives, for the tests of this module. */
final class Mqtt implements AutoCloseable {

  /** One received PUBLISH. */
  record Received(String topic, String text, int qos, boolean duplicate, List<Integer> subscriptionIds) {
  }

  final MqttClient client;
  private final List<Received> received;
  final IMqttToken connectToken;

  private Mqtt(MqttClient client, IMqttToken connectToken, List<Received> received) {
    this.client = client;
    this.connectToken = connectToken;
    this.received = received;
  }

  /** Connects with Clean Start and no session expiry. */
  static Mqtt connect(String uri, String clientId) throws MqttException {
    return connect(uri, clientId, true, 0);
  }

  /**
   * Connects a client.
   *
   * @param sessionExpirySeconds the Session Expiry Interval; above 0 the session is persistent
   */
  static Mqtt connect(String uri, String clientId, boolean cleanStart, long sessionExpirySeconds)
      throws MqttException {
    MqttClient client = new MqttClient(uri, clientId, new MemoryPersistence());
    List<Received> sink = new CopyOnWriteArrayList<>();
    client.setCallback(new MqttCallback() {
      @Override
      public void disconnected(MqttDisconnectResponse response) {
      }

      @Override
      public void mqttErrorOccurred(MqttException exception) {
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        List<Integer> ids = message.getProperties() == null ? List.of()
            : List.copyOf(message.getProperties().getSubscriptionIdentifiers());
        sink.add(new Received(topic, new String(message.getPayload(), java.nio.charset.StandardCharsets.UTF_8),
            message.getQos(), message.isDuplicate(), ids));
      }

      @Override
      public void deliveryComplete(IMqttToken token) {
      }

      @Override
      public void connectComplete(boolean reconnect, String serverURI) {
      }

      @Override
      public void authPacketArrived(int reasonCode, MqttProperties properties) {
      }
    });
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(cleanStart);
    options.setSessionExpiryInterval(sessionExpirySeconds);
    options.setAutomaticReconnect(false);
    options.setConnectionTimeout(10);
    options.setMaxReconnectDelay(1000);
    IMqttToken token = client.connectWithResult(options);
    return new Mqtt(client, token, sink);
  }

  /** Everything received so far, in arrival order. */
  List<Received> messages() {
    return received;
  }

  boolean sessionPresent() {
    return connectToken.getSessionPresent();
  }

  void publish(String topic, String text, int qos, boolean retain) throws MqttException {
    client.publish(topic, text.getBytes(java.nio.charset.StandardCharsets.UTF_8), qos, retain);
  }

  @Override
  public void close() {
    try {
      if (client.isConnected()) {
        client.disconnect();
      }
    } catch (MqttException e) {
      // The connection is already gone; nothing is left to end.
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      // Same as above.
    }
  }
}
