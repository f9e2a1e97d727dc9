package io.ferrymq.bench.load;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;

/**
 * One timed window of fan-in traffic: {@code publishers} connections publish to {@code
 * bench/{id}/{index}}, one subscriber receives {@code bench/{id}/+}. Every phase uses fresh client
 * ids and topics, so nothing from an earlier phase can arrive in this one.
 *
 * <p>Steps: connect and subscribe, publish for the window while sampling the broker's CPU time, stop
 * the publishers, then drain until every sent message has arrived or nothing has arrived for {@link
 * #DRAIN_IDLE}. Only deliveries inside the window count towards the rate; lost and duplicate counts
 * cover every message sent.
 */
final class Phase {

  static final Duration DRAIN_IDLE = Duration.ofSeconds(3);
  private static final Duration DRAIN_MAX = Duration.ofSeconds(30);
  private static final long CONNECT_TIMEOUT_SECONDS = 30;

  /**
   * @param ratePerSecond total publish rate of a paced phase, or 0 for flat out
   * @param window per publisher, the maximum of messages not yet received (flat out) or not yet
   *     acknowledged (paced)
   */
  record Settings(String id, MqttQoS qos, int publishers, int window, int payloadSize, Duration duration,
                  double ratePerSecond) {
  }

  /**
   * @param delivered deliveries inside the window, duplicates included
   * @param brokerCpuNanos CPU time of the broker process inside the window
   * @param clientCpuNanos CPU time of this load generator inside the window
   * @param otherCpuNanos CPU time of every other process on the machine inside the window, which
   *     competes with the broker and the load generator for the same cores
   * @param brokerClosedConnections connections the broker closed during the phase, which makes it invalid
   * @param missing per publisher with losses, {@code index:ranges} of the sequence numbers that never arrived
   */
  record Result(Settings settings, double seconds, long delivered, long sent, long lost, long duplicates,
                long failedPublishes, long brokerCpuNanos, long clientCpuNanos, long otherCpuNanos, int brokerClosedConnections,
                String missing, Histogram latencies) {

    double messagesPerSecond() {
      return delivered / seconds;
    }

    /** Broker CPU time per delivered message, in microseconds. */
    double brokerCpuMicrosPerMessage() {
      return delivered == 0 ? Double.NaN : brokerCpuNanos / 1_000.0 / delivered;
    }

    /** Load generator CPU time over wall time: 1.0 is one core busy. */
    double clientCpuShare() {
      return clientCpuNanos / (seconds * 1e9);
    }

    /** CPU time of other processes over wall time: 1.0 is one core busy. */
    double otherCpuShare() {
      return otherCpuNanos / (seconds * 1e9);
    }
  }

  private Phase() {
  }

  static Result run(Vertx vertx, BrokerProcess broker, Settings settings) throws Exception {
    DeliveryLedger ledger = new DeliveryLedger(settings.publishers());
    boolean paced = settings.ratePerSecond() > 0;
    LoadSubscriber subscriber = new LoadSubscriber(vertx, "bench-sub-" + settings.id(), ledger, paced);
    List<LoadPublisher> publishers = new ArrayList<>();
    for (int i = 0; i < settings.publishers(); i++) {
      publishers.add(new LoadPublisher(vertx, "bench-pub-" + settings.id() + "-" + i, i,
          "bench/" + settings.id() + "/" + i, settings.qos(), settings.payloadSize(), settings.window(), ledger));
    }
    subscriber.onDelivered(publisher -> publishers.get(publisher).onDelivered());
    try {
      await(subscriber.connect(broker.port()));
      await(subscriber.subscribe("bench/" + settings.id() + "/+", settings.qos()));
      for (LoadPublisher publisher : publishers) {
        await(publisher.connect(broker.port()));
      }
      return measure(broker, settings, ledger, subscriber, publishers);
    } finally {
      for (LoadPublisher publisher : publishers) {
        publisher.stop();
        disconnectQuietly(publisher);
      }
      disconnectQuietly(subscriber);
    }
  }

  private static Result measure(BrokerProcess broker, Settings settings, DeliveryLedger ledger,
      LoadSubscriber subscriber, List<LoadPublisher> publishers) throws InterruptedException {
    long self = ProcessHandle.current().pid();
    long brokerCpuStart = ProcessStats.cpuNanos(broker.pid());
    long clientCpuStart = ProcessStats.cpuNanos(self);
    long machineCpuStart = ProcessStats.machineBusyNanos();
    long start = System.nanoTime();
    for (LoadPublisher publisher : publishers) {
      if (settings.ratePerSecond() > 0) {
        publisher.startPaced(settings.ratePerSecond() / publishers.size());
      } else {
        publisher.startFlatOut();
      }
    }
    Thread.sleep(settings.duration().toMillis());
    publishers.forEach(LoadPublisher::stop);
    long delivered = ledger.received();
    long end = System.nanoTime();
    long brokerCpu = ProcessStats.cpuNanos(broker.pid()) - brokerCpuStart;
    long clientCpu = ProcessStats.cpuNanos(self) - clientCpuStart;
    long otherCpu = ProcessStats.machineBusyNanos() - machineCpuStart - brokerCpu - clientCpu;

    drain(ledger, publishers, settings.qos());

    long sent = 0;
    long lost = 0;
    long failed = 0;
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < publishers.size(); i++) {
      LoadPublisher publisher = publishers.get(i);
      sent += publisher.sent();
      lost += ledger.lost(i, publisher.sent());
      failed += publisher.failed();
      String ranges = ledger.missingRanges(i, publisher.sent(), 5);
      if (!ranges.isEmpty()) {
        missing.add(i + ":" + ranges);
      }
    }
    int closed = (int) publishers.stream().filter(BenchClient::closedByBroker).count()
        + (subscriber.closedByBroker() ? 1 : 0);
    return new Result(settings, (end - start) / 1e9, delivered, sent, lost, ledger.duplicates(), failed,
        brokerCpu, clientCpu, Math.max(0, otherCpu), closed,
        String.join(" ", missing), subscriber.latencies().copy());
  }

  /** Waits until every sent message arrived and was acknowledged, or until arrivals stop. */
  private static void drain(DeliveryLedger ledger, List<LoadPublisher> publishers, MqttQoS qos)
      throws InterruptedException {
    long deadline = System.nanoTime() + DRAIN_MAX.toNanos();
    long lastProgress = System.nanoTime();
    long lastCount = -1;
    while (System.nanoTime() < deadline && System.nanoTime() - lastProgress < DRAIN_IDLE.toNanos()) {
      if (allThrough(ledger, publishers, qos)) {
        return;
      }
      long count = ledger.received() + publishers.stream().mapToLong(LoadPublisher::completed).sum();
      if (count != lastCount) {
        lastCount = count;
        lastProgress = System.nanoTime();
      }
      Thread.sleep(20);
    }
  }

  private static boolean allThrough(DeliveryLedger ledger, List<LoadPublisher> publishers, MqttQoS qos) {
    for (int i = 0; i < publishers.size(); i++) {
      LoadPublisher publisher = publishers.get(i);
      if (ledger.unique(i) < publisher.sent()) {
        return false;
      }
      if (qos != MqttQoS.AT_MOST_ONCE && publisher.completed() < publisher.sent()) {
        return false;
      }
    }
    return true;
  }

  private static void await(CompletableFuture<Void> future) throws Exception {
    try {
      future.get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (TimeoutException e) {
      throw new TimeoutException("No CONNACK or SUBACK within " + CONNECT_TIMEOUT_SECONDS + " s");
    }
  }

  private static void disconnectQuietly(BenchClient client) {
    try {
      client.disconnect().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("bench: disconnect failed: " + e);
    }
  }
}
