package io.ferrymq.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrymq.sim.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class WorkloadSettingsTest {

    @Test
    void sizesGrowWithScale() {
        WorkloadSettings settings = new WorkloadSettings(Map.of("devices", "1000"), Map.of(), 0.25);

        assertThat(settings.size("devices", 10, 1)).isEqualTo(250);
        assertThat(settings.size("users", 10, 1)).isEqualTo(3);
    }

    @Test
    void scaledSizeNeverFallsBelowMinimum() {
        WorkloadSettings settings = new WorkloadSettings(Map.of("editors", "4"), Map.of(), 0.1);

        assertThat(settings.size("editors", 50, 2)).isEqualTo(2);
    }

    @Test
    void settingsIgnoreScale() {
        WorkloadSettings settings = new WorkloadSettings(Map.of(), Map.of("duration", "20s", "rate", "30/s"), 4);

        assertThat(settings.duration("duration", "1s")).isEqualTo(Duration.ofSeconds(20));
        assertThat(settings.rate("rate", "1/s")).isEqualTo(30.0);
        assertThat(settings.fraction("share", "33%")).isEqualTo(0.33);
    }

    @Test
    void rangeReadsBothBounds() {
        WorkloadSettings settings = new WorkloadSettings(Map.of(), Map.of("queue", "25-45"), 1);

        assertThat(settings.range("queue", "1")).isEqualTo(new WorkloadSettings.Range(25, 45));
        assertThat(settings.range("other", "7")).isEqualTo(new WorkloadSettings.Range(7, 7));
    }

    @Test
    void invertedRangeNamesTheSetting() {
        WorkloadSettings settings = new WorkloadSettings(Map.of(), Map.of("queue", "45-25"), 1);

        assertThatThrownBy(() -> settings.range("queue", "1")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("settings.queue");
    }

    @Test
    void invalidSizeNamesTheKey() {
        WorkloadSettings settings = new WorkloadSettings(Map.of("devices", "many"), Map.of(), 1);

        assertThatThrownBy(() -> settings.size("devices", 1, 1)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("Invalid value 'many' for size.devices");
    }
}
