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
    return connect(uri, clientId, cleanStart, sessionExpirySeconds, null, 0);
  }

  /**
   * Connects a client with a QoS 1 will on {@code willTopic} whose payload is the client id.
   *
   * @param willDelaySeconds the Will Delay Interval
   */
  static Mqtt connectWithWill(String uri, String clientId, long sessionExpirySeconds, String willTopic,
                              long willDelaySeconds) throws MqttException {
    return connect(uri, clientId, true, sessionExpirySeconds, willTopic, willDelaySeconds);
  }

  private static Mqtt connect(String uri, String clientId, boolean cleanStart, long sessionExpirySeconds,
                              String willTopic, long willDelaySeconds) throws MqttException {
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
    if (willTopic != null) {
      MqttMessage will = new MqttMessage(clientId.getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, false, null);
      options.setWill(willTopic, will);
      MqttProperties willProperties = new MqttProperties();
      willProperties.setWillDelayInterval(willDelaySeconds);
      options.setWillMessageProperties(willProperties);
    }
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

  /** Drops the connection without DISCONNECT, as a client that lost its network does, so its will applies. */
  void dropConnection() throws MqttException {
    client.disconnectForcibly(0, 1000, false);
    client.close(true);
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
