package io.ferrymq.backpressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrymq.spi.QueueLimits;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class BackpressureSettingsTest {

  private static final long HEAP = 1L << 30;

  @Test
  void emptySectionGivesDefaults() {
    BackpressureSettings s = BackpressureSettings.parse(Map.of(), HEAP);

    assertThat(s.rateLimit()).isNull();
    assertThat(s.rules()).isEmpty();
    assertThat(s.overload().enabled()).isTrue();
    assertThat(s.overload().highWatermark()).isEqualTo(HEAP / 4);
    assertThat(s.overload().lowWatermark()).isEqualTo(HEAP / 4 / 10 * 8);
    assertThat(s.overload().checkIntervalMillis()).isEqualTo(10);
    assertThat(s.queue().limits()).isEqualTo(new QueueLimits(1000, 16L << 20, QueueLimits.Qos0Overflow.DROP_OLDEST,
        QueueLimits.ReliableOverflow.REJECT_PUBLISH));
    assertThat(s.redelivery().maxAttempts()).isEqualTo(7);
    assertThat(s.redelivery().deadLetter()).isTrue();
    assertThat(s.redelivery().retransmit()).isFalse();
  }

  @Test
  void backoffDoublesUpToCap() {
    BackpressureSettings s = BackpressureSettings.parse(Map.of("redelivery", Map.of("retransmit", true)), HEAP);

    assertThat(s.redelivery().delayMillis(1)).isEqualTo(100);
    assertThat(s.redelivery().delayMillis(2)).isEqualTo(200);
    assertThat(s.redelivery().delayMillis(3)).isEqualTo(400);
    assertThat(s.redelivery().delayMillis(11)).isEqualTo(60_000);
    assertThat(s.redelivery().delayMillis(1000)).isEqualTo(60_000);
  }

  @Test
  void rateLimitAndRulesParsed() {
    BackpressureSettings s = BackpressureSettings.parse(Map.of(
        "rate-limit", Map.of("messages-per-second", 100, "bytes-per-second", "64KiB"),
        "rate-limit-rules", List.of(
            Map.of("client-id", "sensor-*", "messages-per-second", 5, "burst-messages", 20),
            Map.of("username", "admin", "unlimited", true))), HEAP);

    assertThat(s.rateLimit().messagesPerSecond()).isEqualTo(100);
    assertThat(s.rateLimit().bytesPerSecond()).isEqualTo(65536);
    assertThat(s.rateLimit().burstMessages()).isEqualTo(100);
    assertThat(s.rules()).hasSize(2);
    assertThat(s.rules().get(0).matches("sensor-17", null)).isTrue();
    assertThat(s.rules().get(0).matches("gateway-1", null)).isFalse();
    assertThat(s.rules().get(0).limit().burstMessages()).isEqualTo(20);
    assertThat(s.rules().get(1).matches("any", "admin")).isTrue();
    assertThat(s.rules().get(1).matches("any", null)).isFalse();
    assertThat(s.rules().get(1).limit()).isNull();
  }

  @Test
  void queuePoliciesParsed() {
    BackpressureSettings s = BackpressureSettings.parse(Map.of("queue", Map.of("max-messages", 10, "max-bytes", "1MiB",
        "qos0-overflow", "drop-newest", "qos1-overflow", "disconnect-subscriber")), HEAP);

    assertThat(s.queue().limits()).isEqualTo(new QueueLimits(10, 1 << 20, QueueLimits.Qos0Overflow.DROP_NEWEST,
        QueueLimits.ReliableOverflow.DISCONNECT_SUBSCRIBER));
  }

  @Test
  void invalidValuesNameTheSetting() {
    assertThatThrownBy(() -> BackpressureSettings.parse(Map.of("rate-limits", Map.of()), HEAP))
        .hasMessageContaining("unknown setting rate-limits");
    assertThatThrownBy(() -> BackpressureSettings.parse(Map.of("rate-limit", Map.of("burst-messages", 3)), HEAP))
        .hasMessageContaining("rate-limit.messages-per-second and rate-limit.bytes-per-second");
    assertThatThrownBy(() -> BackpressureSettings.parse(
        Map.of("overload", Map.of("high-watermark", "1MiB", "low-watermark", "2MiB")), HEAP))
        .hasMessageContaining("overload.low-watermark (2097152 bytes) must be below overload.high-watermark");
    assertThatThrownBy(() -> BackpressureSettings.parse(Map.of("queue", Map.of("qos1-overflow", "drop")), HEAP))
        .hasMessageContaining("queue.qos1-overflow is drop: set it to reject-publish or disconnect-subscriber");
    assertThatThrownBy(() -> BackpressureSettings.parse(Map.of("queue", Map.of("max-bytes", "12 apples")), HEAP))
        .hasMessageContaining("queue.max-bytes is 12 apples");
    assertThatThrownBy(() -> BackpressureSettings.parse(Map.of("redelivery", Map.of("initial-delay", 100)), HEAP))
        .hasMessageContaining("redelivery.initial-delay is 100: set it to a duration with a unit");
    assertThatThrownBy(() -> BackpressureSettings.parse(
        Map.of("rate-limit-rules", List.of(Map.of("client-id", "a*", "unlimited", true, "messages-per-second", 3))), HEAP))
        .hasMessageContaining("rate-limit-rules[0].unlimited is true together with a limit");
    assertThatThrownBy(() -> BackpressureSettings.parse(Map.of("redelivery", Map.of("max-attempts", -1)), HEAP))
        .hasMessageContaining("redelivery.max-attempts is -1");
  }
}
