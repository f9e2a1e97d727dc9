package io.ferrymq.broker.testing;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** A Paho MQTT 5 client that collects what it receives, for assertions. */
public final class V5Client implements AutoCloseable {

  /** One received PUBLISH. */
  public record Received(String topic, MqttMessage message) {
    public String text() {
      return new String(message.getPayload(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  public final MqttClient client;
  public final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  public final List<MqttDisconnectResponse> disconnects = new CopyOnWriteArrayList<>();
  public IMqttToken connectToken;

  public V5Client(String uri, String clientId) throws MqttException {
    this.client = new MqttClient(uri, clientId, new MemoryPersistence());
    client.setCallback(new MqttCallback() {
      @Override
      public void disconnected(MqttDisconnectResponse response) {
        disconnects.add(response);
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

  public static V5Client connect(TestBroker broker, String clientId) throws MqttException {
    return connect(broker, clientId, options -> { });
  }

  public static V5Client connect(TestBroker broker, String clientId,
                                 java.util.function.Consumer<MqttConnectionOptions> settings) throws MqttException {
    V5Client c = new V5Client(broker.tcpUri(), clientId);
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    options.setAutomaticReconnect(false);
    settings.accept(options);
    c.connectToken = c.client.connectWithResult(options);
    return c;
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
