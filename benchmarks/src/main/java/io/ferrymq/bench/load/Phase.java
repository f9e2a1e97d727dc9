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
 * One timed window of traffic: {@code publishers} connections publish to {@code bench/{id}/{index}},
 * and {@code subscribers} connections each subscribe to {@code bench/{id}/+}, or to the one topic
 * {@code bench/{id}/0} when there is a single publisher. Every phase uses fresh client ids and topics,
 * so nothing from an earlier phase can arrive in this one.
 *
 * <p>Steps: connect and subscribe, publish for the window while sampling the broker's CPU time, stop
 * the publishers, then drain until every sent message has arrived at every subscriber or nothing has
 * arrived for {@link #DRAIN_IDLE}. Only deliveries inside the window count towards the rate; lost,
 * duplicate and reordered counts cover every message sent.
 */
final class Phase {

  static final Duration DRAIN_IDLE = Duration.ofSeconds(3);
  private static final Duration DRAIN_MAX = Duration.ofSeconds(30);
  private static final long CONNECT_TIMEOUT_SECONDS = 30;

  /**
   * @param subscribers subscribing connections; each receives every message
   * @param ratePerSecond total publish rate of a paced phase, or 0 for flat out
   * @param window per publisher, the maximum of messages not yet received by every subscriber (flat
   *     out) or not yet acknowledged (paced)
   * @param persistentSession whether the subscribers connect with clean session 0, so a broker with
   *     persistence stores their queued messages
   */
  record Settings(String id, MqttQoS qos, int publishers, int subscribers, int window, int payloadSize,
                  Duration duration, double ratePerSecond, boolean persistentSession) {
  }

  /**
   * @param delivered deliveries inside the window, duplicates included
   * @param lost messages that some subscriber never received, counted once per subscriber
   * @param undeliveredAtStop messages sent but not yet received, summed over the subscribers, at the
   *     moment the publishers stopped
   * @param brokerCpuNanos CPU time of the broker process inside the window
   * @param clientCpuNanos CPU time of this load generator inside the window
   * @param otherCpuNanos CPU time of every other process on the machine inside the window, which
   *     competes with the broker and the load generator for the same cores
   * @param brokerClosedConnections connections the broker closed during the phase, which makes it invalid
   * @param missing per publisher with losses, {@code index:ranges} of the sequence numbers that never arrived
   * @param peakRssKib the broker's peak resident memory since its start ({@code VmHWM}), read after the phase
   */
  record Result(Settings settings, double seconds, long delivered, long sent, long lost, long duplicates,
                long reordered, long undeliveredAtStop, long failedPublishes, long brokerCpuNanos, long clientCpuNanos,
                long otherCpuNanos, int brokerClosedConnections, String missing, Histogram latencies, long peakRssKib) {

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
    boolean paced = settings.ratePerSecond() > 0;
    List<LoadSubscriber> subscribers = new ArrayList<>();
    for (int s = 0; s < settings.subscribers(); s++) {
      subscribers.add(new LoadSubscriber(vertx, "bench-sub-" + settings.id() + "-" + s,
          new DeliveryLedger(settings.publishers()), paced, !settings.persistentSession()));
    }
    List<DeliveryLedger> ledgers = subscribers.stream().map(LoadSubscriber::ledger).toList();
    List<LoadPublisher> publishers = new ArrayList<>();
    for (int i = 0; i < settings.publishers(); i++) {
      publishers.add(new LoadPublisher(vertx, "bench-pub-" + settings.id() + "-" + i, i,
          "bench/" + settings.id() + "/" + i, settings.qos(), settings.payloadSize(), settings.window(), ledgers));
    }
    String filter = settings.publishers() == 1 ? "bench/" + settings.id() + "/0" : "bench/" + settings.id() + "/+";
    try {
      for (LoadSubscriber subscriber : subscribers) {
        subscriber.onDelivered(publisher -> publishers.get(publisher).onDelivered());
        await(subscriber.connect(broker.port()));
        await(subscriber.subscribe(filter, settings.qos()));
      }
      for (LoadPublisher publisher : publishers) {
        await(publisher.connect(broker.port()));
      }
      return measure(broker, settings, subscribers, publishers);
    } finally {
      for (LoadPublisher publisher : publishers) {
        publisher.stop();
        disconnectQuietly(publisher);
      }
      subscribers.forEach(Phase::disconnectQuietly);
    }
  }

  private static Result measure(BrokerProcess broker, Settings settings, List<LoadSubscriber> subscribers,
      List<LoadPublisher> publishers) throws InterruptedException {
    List<DeliveryLedger> ledgers = subscribers.stream().map(LoadSubscriber::ledger).toList();
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
    long delivered = ledgers.stream().mapToLong(DeliveryLedger::received).sum();
    long end = System.nanoTime();
    long brokerCpu = ProcessStats.cpuNanos(broker.pid()) - brokerCpuStart;
    long clientCpu = ProcessStats.cpuNanos(self) - clientCpuStart;
    long otherCpu = ProcessStats.machineBusyNanos() - machineCpuStart - brokerCpu - clientCpu;
    long sentAtStop = publishers.stream().mapToLong(LoadPublisher::sent).sum();
    long undeliveredAtStop = Math.max(0,
        sentAtStop * ledgers.size() - ledgers.stream().mapToLong(DeliveryLedger::uniqueTotal).sum());

    drain(ledgers, publishers, settings.qos());

    long sent = 0;
    long lost = 0;
    long failed = 0;
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < publishers.size(); i++) {
      LoadPublisher publisher = publishers.get(i);
      sent += publisher.sent();
      failed += publisher.failed();
      for (DeliveryLedger ledger : ledgers) {
        lost += ledger.lost(i, publisher.sent());
      }
      String ranges = ledgers.get(0).missingRanges(i, publisher.sent(), 5);
      if (!ranges.isEmpty()) {
        missing.add(i + ":" + ranges);
      }
    }
    int closed = (int) (publishers.stream().filter(BenchClient::closedByBroker).count()
        + subscribers.stream().filter(BenchClient::closedByBroker).count());
    Histogram latencies = new Histogram(3);
    subscribers.forEach(subscriber -> latencies.add(subscriber.latencies()));
    return new Result(settings, (end - start) / 1e9, delivered, sent, lost,
        ledgers.stream().mapToLong(DeliveryLedger::duplicates).sum(),
        ledgers.stream().mapToLong(DeliveryLedger::reordered).sum(), undeliveredAtStop, failed,
        brokerCpu, clientCpu, Math.max(0, otherCpu), closed, String.join(" ", missing), latencies,
        ProcessStats.peakRssKib(broker.pid()));
  }

  /** Waits until every sent message arrived and was acknowledged, or until arrivals stop. */
  private static void drain(List<DeliveryLedger> ledgers, List<LoadPublisher> publishers, MqttQoS qos)
      throws InterruptedException {
    long deadline = System.nanoTime() + DRAIN_MAX.toNanos();
    long lastProgress = System.nanoTime();
    long lastCount = -1;
    while (System.nanoTime() < deadline && System.nanoTime() - lastProgress < DRAIN_IDLE.toNanos()) {
      if (allThrough(ledgers, publishers, qos)) {
        return;
      }
      long count = ledgers.stream().mapToLong(DeliveryLedger::received).sum() + publishers.stream().mapToLong(LoadPublisher::completed).sum();
      if (count != lastCount) {
        lastCount = count;
        lastProgress = System.nanoTime();
      }
      Thread.sleep(20);
    }
  }

  private static boolean allThrough(List<DeliveryLedger> ledgers, List<LoadPublisher> publishers, MqttQoS qos) {
    for (int i = 0; i < publishers.size(); i++) {
      LoadPublisher publisher = publishers.get(i);
      for (DeliveryLedger ledger : ledgers) {
        if (ledger.unique(i) < publisher.sent()) {
          return false;
        }
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
