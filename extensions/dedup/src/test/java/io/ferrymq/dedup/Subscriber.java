package io.ferrymq.dedup;

import java.nio.charset.StandardCharsets;
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

/** A Paho MQTT 5 subscriber that keeps the payloads it receives, as text, in arrival order. */
final class Subscriber implements AutoCloseable {

  final MqttClient client;
  final List<String> payloads = new CopyOnWriteArrayList<>();

  private Subscriber(MqttClient client) {
    this.client = client;
  }

  static Subscriber subscribe(String uri, String filter) throws MqttException {
    MqttClient client = new MqttClient(uri, "sub-" + System.nanoTime(), new MemoryPersistence());
    Subscriber s = new Subscriber(client);
    client.setCallback(new MqttCallback() {
      @Override
      public void messageArrived(String topic, MqttMessage message) {
        s.payloads.add(new String(message.getPayload(), StandardCharsets.UTF_8));
      }

      @Override
      public void disconnected(MqttDisconnectResponse response) {
      }

      @Override
      public void mqttErrorOccurred(MqttException exception) {
      }

      @Override
      public void deliveryComplete(IMqttToken token) {
      }

      @Override
      public void connectComplete(boolean reconnect, String serverUri) {
      }

      @Override
      public void authPacketArrived(int reasonCode, MqttProperties properties) {
      }
    });
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    client.connect(options);
    client.subscribe(filter, 1);
    return s;
  }

  @Override
  public void close() throws MqttException {
    client.disconnect();
    client.close();
  }
}
