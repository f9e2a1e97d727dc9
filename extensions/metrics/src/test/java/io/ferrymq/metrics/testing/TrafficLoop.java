package io.ferrymq.metrics.testing;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * Publishes a steady mix of QoS 0, 1 and 2 messages to a subscriber, plus one message a round that no
 * subscription matches, on its own thread until closed: at most 160 messages per second (4 every 25 ms).
 */
public final class TrafficLoop implements AutoCloseable {

  private final TestClient subscriber;
  private final TestClient publisher;
  private final Thread thread;
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private volatile boolean running = true;

  public TrafficLoop(MetricsBroker broker) throws MqttException {
    subscriber = TestClient.connect(broker, "loop-subscriber");
    subscriber.client.subscribe("loop/#", 2);
    publisher = TestClient.connect(broker, "loop-publisher");
    thread = new Thread(this::run, "traffic-loop");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    byte[] payload = "reading 21.5".getBytes(StandardCharsets.UTF_8);
    try {
      while (running) {
        for (int qos = 0; qos <= 2; qos++) {
          publisher.client.publish("loop/q" + qos, payload, qos, false);
        }
        publisher.client.publish("unheard/q0", payload, 0, false);
        // The subscriber's queue is only for tests that wait on it; this loop keeps it from growing.
        subscriber.received.clear();
        Thread.sleep(25);
      }
    } catch (MqttException e) {
      failure.set(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Throws the error that stopped the loop early, if any. */
  public void check() throws Exception {
    Exception e = failure.get();
    if (e != null) {
      throw e;
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5_000);
    publisher.close();
    subscriber.close();
  }
}
