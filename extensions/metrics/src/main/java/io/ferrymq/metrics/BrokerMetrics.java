package io.ferrymq.metrics;

import io.ferrymq.spi.BrokerObserver;
import io.ferrymq.spi.ConnectInfo;
import io.ferrymq.spi.DropReason;
import io.ferrymq.spi.Message;
import io.ferrymq.spi.PauseReason;
import io.ferrymq.spi.ReasonCode;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts broker events into Prometheus counters and histograms.
 *
 * <p>Threading: the broker calls the observer methods on every event loop at once. The Prometheus
 * client's counters are safe for concurrent increments. Each data point is resolved once, here, so
 * that an event costs a few adder increments and no label lookup.
 *
 * <p>The {@code $SYS} summary messages that {@link SysTopicPublisher} publishes are left out of every
 * count, so that watching the broker does not change what is watched.
 */
final class BrokerMetrics implements BrokerObserver {

  /**
   * Upper bounds of the delivery latency buckets, in seconds: 50 µs to 10 s. A loopback delivery
   * takes tens to hundreds of microseconds; the upper buckets catch messages that waited in a queue.
   */
  static final double[] LATENCY_BUCKETS = {
      0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  /** Upper bounds of the store commit buckets, in seconds: 100 µs (page cache) to 5 s (a stalled disk). */
  static final double[] COMMIT_BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
      0.5, 1, 2.5, 5};

  /** Reason codes a CONNACK may carry that clients commonly meet, exposed at 0 before the first rejection. */
  private static final List<ReasonCode> COMMON_CONNECT_REJECTIONS = List.of(ReasonCode.UNSPECIFIED_ERROR,
      ReasonCode.MALFORMED_PACKET, ReasonCode.PROTOCOL_ERROR, ReasonCode.UNSUPPORTED_PROTOCOL_VERSION,
      ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, ReasonCode.BAD_USER_NAME_OR_PASSWORD, ReasonCode.NOT_AUTHORIZED,
      ReasonCode.SERVER_UNAVAILABLE, ReasonCode.SERVER_BUSY, ReasonCode.BANNED);

  private static final List<ReasonCode> COMMON_DISCONNECT_REASONS = List.of(ReasonCode.SUCCESS,
      ReasonCode.DISCONNECT_WITH_WILL_MESSAGE, ReasonCode.UNSPECIFIED_ERROR, ReasonCode.KEEP_ALIVE_TIMEOUT,
      ReasonCode.SESSION_TAKEN_OVER, ReasonCode.PROTOCOL_ERROR, ReasonCode.SERVER_SHUTTING_DOWN);

  private final Counter connectionsRejected;
  private final Counter connectionsClosed;
  private final CounterDataPoint connectionsAccepted;
  private final CounterDataPoint[] messagesReceived = new CounterDataPoint[3];
  private final CounterDataPoint[] messagesSent = new CounterDataPoint[3];
  private final CounterDataPoint[] payloadReceived = new CounterDataPoint[3];
  private final CounterDataPoint[] payloadSent = new CounterDataPoint[3];
  private final DistributionDataPoint[] deliveryLatency = new DistributionDataPoint[3];
  private final CounterDataPoint[] drops = new CounterDataPoint[DropReason.values().length];
  private final CounterDataPoint dedupHits;
  private final CounterDataPoint redeliveries;
  private final CounterDataPoint throttlePauses;
  private final CounterDataPoint throttlePausedSeconds;
  // 1 while the broker's publish gate is closed for overload, else 0.
  private volatile int overloaded;
  private final Histogram storeCommitDuration;

  // Only for the $SYS summary, which Prometheus users get from max_over_time() instead.
  private final AtomicInteger connectedNow = new AtomicInteger();
  private final AtomicInteger connectedMax = new AtomicInteger();

  BrokerMetrics(PrometheusRegistry registry) {
    connectionsAccepted = Counter.builder()
        .name("ferrymq_connections_accepted_total")
        .help("CONNECT packets answered with a successful CONNACK.")
        .withoutExemplars()
        .register(registry);
    connectionsRejected = Counter.builder()
        .name("ferrymq_connections_rejected_total")
        .help("CONNECT packets answered with a failing CONNACK, by its reason code.")
        .labelNames("reason")
        .withoutExemplars()
        .register(registry);
    connectionsClosed = Counter.builder()
        .name("ferrymq_connections_closed_total")
        .help("Accepted connections that ended, by reason code. Client DISCONNECTs count as success or "
            + "disconnect_with_will_message; a lost socket counts as unspecified_error.")
        .labelNames("reason")
        .withoutExemplars()
        .register(registry);
    COMMON_CONNECT_REJECTIONS.forEach(r -> connectionsRejected.labelValues(label(r)));
    COMMON_DISCONNECT_REASONS.forEach(r -> connectionsClosed.labelValues(label(r)));

    Counter received = perQos(registry, "ferrymq_messages_received_total",
        "PUBLISH packets received from clients, by QoS, before authorization and interceptors.");
    Counter sent = perQos(registry, "ferrymq_messages_sent_total",
        "PUBLISH packets written to subscribers, by the QoS of the delivery, redeliveries and retained messages "
            + "included.");
    Counter receivedBytes = perQos(registry, "ferrymq_payload_received_bytes_total",
        "Payload bytes of the PUBLISH packets received, by QoS; headers and properties are not counted.");
    Counter sentBytes = perQos(registry, "ferrymq_payload_sent_bytes_total",
        "Payload bytes of the PUBLISH packets written to subscribers, by the QoS of the delivery.");
    Histogram latency = Histogram.builder()
        .name("ferrymq_delivery_latency_seconds")
        .help("Time from receiving a PUBLISH to writing it to a subscriber, by the QoS of the delivery. It includes "
            + "time queued for a slow or offline subscriber. Retained messages are not observed, because the broker "
            + "does not tell a live retained publish from one sent on subscribe.")
        .unit(Unit.SECONDS)
        .labelNames("qos")
        .classicOnly()
        .classicUpperBounds(LATENCY_BUCKETS)
        .withoutExemplars()
        .register(registry);
    for (int qos = 0; qos <= 2; qos++) {
      String q = Integer.toString(qos);
      messagesReceived[qos] = received.labelValues(q);
      messagesSent[qos] = sent.labelValues(q);
      payloadReceived[qos] = receivedBytes.labelValues(q);
      payloadSent[qos] = sentBytes.labelValues(q);
      deliveryLatency[qos] = latency.labelValues(q);
    }

    Counter dropped = Counter.builder()
        .name("ferrymq_messages_dropped_total")
        .help("Messages not delivered to one subscriber, or to anyone, by reason. One publish that no subscription "
            + "matches counts once as no_subscribers.")
        .labelNames("reason")
        .withoutExemplars()
        .register(registry);
    for (DropReason reason : DropReason.values()) {
      drops[reason.ordinal()] = dropped.labelValues(label(reason));
    }
    dedupHits = Counter.builder()
        .name("ferrymq_dedup_hits_total")
        .help("Publishes that a dedup extension recognised as duplicates and dropped; also counted in "
            + "ferrymq_messages_dropped_total{reason=\"duplicate\"}.")
        .withoutExemplars()
        .register(registry);
    redeliveries = Counter.builder()
        .name("ferrymq_redeliveries_total")
        .help("Unacknowledged QoS 1 and 2 PUBLISH packets sent again with DUP set after a reconnect.")
        .withoutExemplars()
        .register(registry);
    throttlePauses = Counter.builder()
        .name("ferrymq_throttle_pauses_total")
        .help("Times a rate limit paused reading from a publisher.")
        .withoutExemplars()
        .register(registry);
    throttlePausedSeconds = Counter.builder()
        .name("ferrymq_throttle_paused_seconds_total")
        .help("Time publishers spent paused by a rate limit, counted when each pause ends.")
        .unit(Unit.SECONDS)
        .withoutExemplars()
        .register(registry);
    GaugeWithCallback.builder()
        .name("ferrymq_overloaded")
        .help("1 while the broker holds more queued bytes than its high watermark and has paused reading from "
            + "publishers, else 0.")
        .callback(cb -> cb.call(overloaded))
        .register(registry);
    storeCommitDuration = Histogram.builder()
        .name("ferrymq_store_commit_duration_seconds")
        .help("Time a session store took to write and force one group of changes to disk, as the persistence "
            + "extension reports it. Publishers waiting for their acknowledgement wait at least this long.")
        .unit(Unit.SECONDS)
        .classicOnly()
        .classicUpperBounds(COMMIT_BUCKETS)
        .withoutExemplars()
        .register(registry);
  }

  private static Counter perQos(PrometheusRegistry registry, String name, String help) {
    return Counter.builder().name(name).help(help).labelNames("qos").withoutExemplars().register(registry);
  }

  /** Returns the label value of an enum constant: its name in lower case, as Prometheus label values usually are. */
  static String label(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }

  /** Returns whether {@code message} is one of the broker's own {@code $SYS} summaries, which no metric counts. */
  private static boolean isSysSummary(Message message) {
    return message.publisherId() == null && message.topic().startsWith("$SYS/");
  }

  @Override
  public void onConnect(ConnectInfo client, boolean sessionPresent) {
    connectionsAccepted.inc();
    connectedMax.accumulateAndGet(connectedNow.incrementAndGet(), Math::max);
  }

  @Override
  public void onConnectRejected(String remoteAddress, ReasonCode reason) {
    connectionsRejected.labelValues(label(reason)).inc();
  }

  @Override
  public void onDisconnect(ConnectInfo client, ReasonCode reason, boolean byClient) {
    connectedNow.decrementAndGet();
    connectionsClosed.labelValues(label(reason)).inc();
  }

  @Override
  public void onPublishIn(Message message) {
    int qos = message.qos();
    messagesReceived[qos].inc();
    payloadReceived[qos].inc(message.payload().length);
  }

  @Override
  public void onPublishOut(Message message, int qos) {
    if (isSysSummary(message)) {
      return;
    }
    messagesSent[qos].inc();
    payloadSent[qos].inc(message.payload().length);
    // NOTE: live retained publishes are skipped as well, because the broker does not say whether a delivery
    // is a retained message sent on subscribe, whose receive time may be hours old.
    if (!message.retain()) {
      deliveryLatency[qos].observe((System.nanoTime() - message.receivedAtNanos()) / 1e9);
    }
  }

  @Override
  public void onDrop(Message message, String clientId, DropReason reason) {
    if (isSysSummary(message)) {
      return;
    }
    drops[reason.ordinal()].inc();
    if (reason == DropReason.DUPLICATE) {
      dedupHits.inc();
    }
  }

  @Override
  public void onRedelivery(Message message, String clientId) {
    redeliveries.inc();
  }

  @Override
  public void onPublisherPaused(ConnectInfo client, PauseReason reason) {
    if (reason == PauseReason.RATE_LIMIT) {
      throttlePauses.inc();
    }
  }

  @Override
  public void onPublisherResumed(ConnectInfo client, PauseReason reason, long pausedNanos) {
    if (reason == PauseReason.RATE_LIMIT) {
      throttlePausedSeconds.inc(pausedNanos / 1e9);
    }
  }

  @Override
  public void onOverloadChange(boolean overloaded, long queuedBytes) {
    this.overloaded = overloaded ? 1 : 0;
  }

  @Override
  public void onStoreCommit(long durationNanos, int records) {
    storeCommitDuration.observe(durationNanos / 1e9);
  }

  // ---- totals for the $SYS summary ----

  long messagesReceived() {
    return sum(messagesReceived);
  }

  long messagesSent() {
    return sum(messagesSent);
  }

  long payloadBytesReceived() {
    return sum(payloadReceived);
  }

  long payloadBytesSent() {
    return sum(payloadSent);
  }

  /** Messages dropped at a queue or write limit, which is what Mosquitto's {@code publish/messages/dropped} counts. */
  long droppedAtLimits() {
    return (long) (drops[DropReason.QUEUE_FULL.ordinal()].get() + drops[DropReason.SUBSCRIBER_BUSY.ordinal()].get());
  }

  /** Returns the number of CONNECT packets the broker accepted or rejected. */
  long connectsAnswered() {
    double rejected = connectionsRejected.collect().getDataPoints().stream().mapToDouble(d -> d.getValue()).sum();
    return (long) (connectionsAccepted.get() + rejected);
  }

  /** Returns the maximum number of clients connected at once since the extension started. */
  int connectedMax() {
    return connectedMax.get();
  }

  private static long sum(CounterDataPoint[] points) {
    double total = 0;
    for (CounterDataPoint p : points) {
      total += p.get();
    }
    return (long) total;
  }
}
