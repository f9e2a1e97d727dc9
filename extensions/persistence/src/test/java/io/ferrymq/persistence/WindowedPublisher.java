package io.ferrymq.persistence;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * One publisher: keeps up to {@link #WINDOW} numbered messages in flight and records each one
 * whose acknowledgement (PUBACK for QoS 1, PUBCOMP for QoS 2) arrived.
 */
final class WindowedPublisher implements Runnable {
  static final int WINDOW = 16;
  final String topic;
  final int qos;
  final String clientId;
  final Set<Integer> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
  final AtomicBoolean stop = new AtomicBoolean();
  volatile String uri;
  volatile int next = 1;

  WindowedPublisher(String topic, int qos, String clientId) {
    this.topic = topic;
    this.qos = qos;
    this.clientId = clientId;
  }

  @Override
  public void run() {
    Semaphore window = new Semaphore(WINDOW);
    MqttAsyncClient client = null;
    try {
      client = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
      MqttConnectionOptions options = new MqttConnectionOptions();
      options.setCleanStart(true);
      options.setAutomaticReconnect(false);
      options.setReceiveMaximum(WINDOW);
      client.connect(options).waitForCompletion(10_000);
      while (!stop.get() && client.isConnected()) {
        if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          continue;
        }
        int n = next;
        if (publish(client, n, window)) {
          next = n + 1;
        }
      }
    } catch (MqttException e) {
      // The broker was killed; messages in flight are unacknowledged and may or may not arrive.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (client != null) {
        try {
          client.close(true);
        } catch (MqttException e) {
          // Closing a client whose broker is gone; nothing is left to release.
        }
      }
    }
  }

  /** Sends message {@code n}; returns false when the client's own in-flight limit made it wait. */
  private boolean publish(MqttAsyncClient client, int n, Semaphore window) throws MqttException,
      InterruptedException {
    try {
      send(client, n, window);
      return true;
    } catch (MqttException e) {
      if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT) {
        throw e;
      }
      window.release();
      Thread.sleep(1);
      return false;
    }
  }

  private void send(MqttAsyncClient client, int n, Semaphore window) throws MqttException {
    client.publish(topic, Integer.toString(n).getBytes(StandardCharsets.UTF_8), qos, false, null,
        new MqttActionListener() {
          @Override
          public void onSuccess(IMqttToken token) {
            acknowledged.add(n);
            window.release();
          }

          @Override
          public void onFailure(IMqttToken token, Throwable error) {
            window.release();
          }
        });
  }
}
