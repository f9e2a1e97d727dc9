package io.ferrymq.metrics.testing;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** A Paho MQTT 5 client that collects what it receives. */
public final class TestClient implements AutoCloseable {

  /** One received PUBLISH. */
  public record Received(String topic, MqttMessage message) {
    public String text() {
      return new String(message.getPayload(), StandardCharsets.UTF_8);
    }
  }

  public final MqttClient client;
  public final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

  private TestClient(String uri, String clientId) throws MqttException {
    this.client = new MqttClient(uri, clientId, new MemoryPersistence());
    client.setCallback(new MqttCallback() {
      @Override
      public void disconnected(MqttDisconnectResponse response) {
      }

      @Override
      public void mqttErrorOccurred(MqttException exception) {
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        received.add(new Received(topic, message));
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
  }

  public static TestClient connect(MetricsBroker broker, String clientId) throws MqttException {
    return connect(broker, clientId, options -> { });
  }

  public static TestClient connect(MetricsBroker broker, String clientId, Consumer<MqttConnectionOptions> settings)
      throws MqttException {
    return connect(broker, clientId, settings, false);
  }

  /**
   * Connects with clean start and no automatic reconnect, plus whatever {@code settings} changes. With
   * {@code manualAcks} the client never acknowledges a QoS 1 or 2 message it receives.
   */
  public static TestClient connect(MetricsBroker broker, String clientId, Consumer<MqttConnectionOptions> settings,
                                   boolean manualAcks) throws MqttException {
    TestClient c = new TestClient(broker.mqttUri(), clientId);
    c.client.setManualAcks(manualAcks);
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    options.setAutomaticReconnect(false);
    settings.accept(options);
    c.client.connect(options);
    return c;
  }

  /** Publishes and waits until the broker has acknowledged a QoS 1 or 2 message. */
  public void publish(String topic, String payload, int qos) throws MqttException {
    client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false);
  }

  /** Waits up to 10 s for the next message. */
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
