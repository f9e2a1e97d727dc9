package io.ferrymq.metrics;

import io.ferrymq.spi.BrokerStats;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Gauges read from {@link BrokerStats} at scrape time, so they cost nothing on the publish path. A
 * scrape sums per-session counts, which takes time linear in the number of sessions.
 */
final class BrokerGauges {

  private BrokerGauges() {
  }

  static void register(PrometheusRegistry registry, BrokerStats stats, String version) {
    Info.builder()
        .name("ferrymq_build_info")
        .help("The FerryMQ version that serves this endpoint; the value is always 1.")
        .labelNames("version")
        .register(registry)
        .setLabelValues(version);
    GaugeWithCallback.builder()
        .name("ferrymq_connections")
        .help("Clients with a live MQTT connection.")
        .callback(cb -> cb.call(stats.connectedClients()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ferrymq_sessions")
        .help("Sessions by state: online ones have a connection, offline ones are persistent sessions waiting for "
            + "their client or their expiry.")
        .labelNames("state")
        .callback(cb -> {
          int online = stats.connectedClients();
          // The two totals are read a moment apart, so a takeover in between could make this negative.
          int offline = Math.max(0, stats.sessions() - online);
          cb.call(online, "online");
          cb.call(offline, "offline");
        })
        .register(registry);
    GaugeWithCallback.builder()
        .name("ferrymq_subscriptions")
        .help("Subscriptions across all sessions, shared ones included.")
        .callback(cb -> cb.call(stats.subscriptions()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ferrymq_retained_messages")
        .help("Retained messages, the broker's own $SYS summaries included.")
        .callback(cb -> cb.call(stats.retainedMessages()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ferrymq_queued_messages")
        .help("Messages waiting in session queues for an in-flight slot or for their client to reconnect.")
        .callback(cb -> cb.call(stats.queuedMessages()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ferrymq_inflight_messages")
        .help("Outbound QoS 1 and 2 messages sent and not yet acknowledged by their subscribers.")
        .callback(cb -> cb.call(stats.inflightMessages()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ferrymq_queued_bytes")
        .help("Payload bytes of the messages waiting in session queues.")
        .callback(cb -> cb.call(stats.queuedBytes()))
        .register(registry);
  }
}
