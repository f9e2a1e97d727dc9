package io.ferrymq.broker.testing;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** A Paho MQTT 3.1.1 client that collects what it receives, for assertions. */
public final class V3Client implements AutoCloseable {

  /** One received PUBLISH. */
  public record Received(String topic, MqttMessage message) {
    public String text() {
      return new String(message.getPayload(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  public final MqttClient client;
  public final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  public volatile Throwable connectionLost;

  public V3Client(String uri, String clientId) throws MqttException {
    this.client = new MqttClient(uri, clientId, new MemoryPersistence());
    client.setCallback(new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
        connectionLost = cause;
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        received.add(new Received(topic, message));
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
      }
    });
  }

  public static V3Client connect(TestBroker broker, String clientId, boolean cleanSession) throws MqttException {
    return connect(broker, clientId, options -> options.setCleanSession(cleanSession));
  }

  public static V3Client connect(TestBroker broker, String clientId,
                                 java.util.function.Consumer<MqttConnectOptions> settings) throws MqttException {
    V3Client c = new V3Client(broker.tcpUri(), clientId);
    MqttConnectOptions options = new MqttConnectOptions();
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setAutomaticReconnect(false);
    settings.accept(options);
    c.client.connect(options);
    return c;
  }

  public Received next() throws InterruptedException {
    Received r = received.poll(10, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no message arrived within 10 s at " + client.getClientId());
    }
    return r;
  }

  @Override
  public void close() {
    try {
      if (client.isConnected()) {
        client.disconnect();
      }
    } catch (MqttException e) {
      // The test is over; a failed DISCONNECT only means the connection is already gone.
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      // Same as above.
    }
  }
}
