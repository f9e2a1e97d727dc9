package io.ferrymq.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrymq.broker.config.ConfigException;
import io.ferrymq.dedup.DedupSettings.Mode;
import io.ferrymq.dedup.DedupSettings.StoreKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class DedupSettingsTest {

  @TempDir
  Path dataDir;

  @Test
  void emptySectionChecksIdPropertyOnEveryTopic() {
    DedupSettings settings = DedupSettings.parse(Map.of());

    assertThat(settings.store()).isEqualTo(StoreKind.MEMORY);
    assertThat(settings.maxIds()).isEqualTo(1_000_000);
    assertThat(settings.windowMillis()).isEqualTo(3_600_000);
    assertThat(settings.rules()).hasSize(1);
    assertThat(settings.ruleFor("any/topic").mode()).isEqualTo(Mode.PROPERTY);
    assertThat(settings.ruleFor("any/topic").property()).isEqualTo("message-id");
  }

  @Test
  void firstMatchingRuleApplies() {
    DedupSettings settings = DedupSettings.parse(Map.of("property", "msg-id", "rules", List.of(
        Map.of("filter", "legacy/+/temp", "mode", "content-hash", "window", "7d"),
        Map.of("filter", "legacy/#", "property", "uid", "window", 90))));

    assertThat(settings.ruleFor("legacy/3/temp").mode()).isEqualTo(Mode.CONTENT_HASH);
    assertThat(settings.ruleFor("legacy/3/temp").windowMillis()).isEqualTo(7 * 86_400_000L);
    assertThat(settings.ruleFor("legacy/3/hum").property()).isEqualTo("uid");
    assertThat(settings.ruleFor("legacy/3/hum").windowMillis()).isEqualTo(90_000);
    assertThat(settings.ruleFor("legacy")).isNotNull();
    assertThat(settings.ruleFor("other/3")).isNull();
    assertThat(settings.maxWindowMillis()).isEqualTo(7 * 86_400_000L);
  }

  @Test
  void wildcardRuleSkipsDollarTopics() {
    DedupSettings settings = DedupSettings.parse(Map.of());

    assertThat(settings.ruleFor("$SYS/broker/uptime")).isNull();
  }

  @Test
  void invalidValuesNameTheSetting() {
    assertInvalid(Map.of("rules", List.of(Map.of("filter", "a/#", "mode", "fuzzy"))),
        "rules[0].mode is fuzzy: set it to property or content-hash");
    assertInvalid(Map.of("window", "8d"), "window is 8d: set it to a duration from 1s to 7d, such as 30s, 15m, 1h or 7d");
    assertInvalid(Map.of("rules", List.of(Map.of("filter", "a", "window", "0s"))),
        "rules[0].window is 0s: set it to a duration from 1s to 7d, such as 30s, 15m, 1h or 7d");
    assertInvalid(Map.of("window", "an hour"), "window is an hour: set it to a duration from 1s to 7d, such as 30s, 15m, 1h or 7d");
    assertInvalid(Map.of("store", "redis"), "store is redis: set it to memory or mapdb");
    assertInvalid(Map.of("max-ids", 0), "max-ids is 0: set it to a whole number from 1 to 1000000000");
    assertInvalid(Map.of("rules", List.of(Map.of("mode", "property"))),
        "rules[0].filter is missing: set it to a topic filter such as meters/#");
    assertInvalid(Map.of("rules", List.of(Map.of("filter", "a/#/b"))), "rules[0].filter has # before its last level: a/#/b");
    assertInvalid(Map.of("windows", "1h"), "unknown setting windows; known settings: store, max-ids, window, property, "
        + "rules, path, commit-interval");
  }

  @Test
  void unknownModeStopsStart() {
    Map<String, Object> section = Map.of("rules", List.of(Map.of("filter", "a/#", "mode", "fuzzy")));

    assertThatThrownBy(() -> DedupBroker.start(section, new AtomicLong(), dataDir))
        .isInstanceOf(ConfigException.class)
        .hasMessage("extensions.dedup: rules[0].mode is fuzzy: set it to property or content-hash");
  }

  @Test
  void windowOutOfRangeStopsStart() {
    assertThatThrownBy(() -> DedupBroker.start(Map.of("window", "30d"), new AtomicLong(), dataDir))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("extensions.dedup: window is 30d: set it to a duration from 1s to 7d");
  }

  private static void assertInvalid(Map<String, Object> section, String message) {
    assertThatThrownBy(() -> DedupSettings.parse(section)).as("%s", section)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }
}
