package io.ferrymq.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsSettingsTest {

  @Test
  void emptySectionGivesDefaults() {
    MetricsSettings s = MetricsSettings.parse(Map.of());

    assertThat(s.host()).isEqualTo("127.0.0.1");
    assertThat(s.port()).isEqualTo(9400);
    assertThat(s.sysIntervalSeconds()).isEqualTo(10);
    assertThat(s.jvmMetrics()).isTrue();
  }

  @Test
  void everySettingIsRead() {
    MetricsSettings s = MetricsSettings.parse(Map.of("host", "::1", "port", 9500, "sys-interval", 0,
        "jvm-metrics", false));

    assertThat(s).isEqualTo(new MetricsSettings("::1", 9500, 0, false));
  }

  @Test
  void unknownSettingIsRejectedListingKnownOnes() {
    assertThatThrownBy(() -> MetricsSettings.parse(Map.of("prot", 9400)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown setting prot; known settings: host, port, sys-interval, jvm-metrics");
  }

  @Test
  void outOfRangeOrMistypedValuesAreRejected() {
    assertThatThrownBy(() -> MetricsSettings.parse(Map.of("port", -1)))
        .hasMessage("port is -1: set it to a whole number from 0 to 65535");
    assertThatThrownBy(() -> MetricsSettings.parse(Map.of("port", "9400")))
        .hasMessage("port is 9400: set it to a whole number from 0 to 65535");
    assertThatThrownBy(() -> MetricsSettings.parse(Map.of("sys-interval", 86_401)))
        .hasMessage("sys-interval is 86401: set it to a whole number from 0 to 86400");
    assertThatThrownBy(() -> MetricsSettings.parse(Map.of("jvm-metrics", "yes")))
        .hasMessage("jvm-metrics is yes: set it to true or false");
    assertThatThrownBy(() -> MetricsSettings.parse(Map.of("host", " ")))
        .hasMessage("host is  : set it to a host name or an IP address");
  }
}
