package io.ferrymq.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class ConfigFileTest {

  @TempDir
  Path dir;

  private BrokerConfig load(String yaml) throws Exception {
    Path file = dir.resolve("ferrymq.yaml");
    Files.writeString(file, yaml);
    BrokerConfig.Builder builder = BrokerConfig.builder();
    ConfigFile.apply(file, builder);
    return builder.build();
  }

  @Test
  void settingsAndExtensionSectionsAreRead() throws Exception {
    BrokerConfig config = load("""
        host: 0.0.0.0
        port: 11883
        ws-port: -1
        max-queued-messages: 50
        max-session-expiry: 3600
        extensions:
          metrics:
            enabled: true
            port: 9400
        """);
    assertThat(config.host()).isEqualTo("0.0.0.0");
    assertThat(config.port()).isEqualTo(11883);
    assertThat(config.wsPort()).isEqualTo(-1);
    assertThat(config.maxQueuedMessages()).isEqualTo(50);
    assertThat(config.maxSessionExpirySeconds()).isEqualTo(3600);
    assertThat(config.extensions().get("metrics")).containsEntry("enabled", true).containsEntry("port", 9400);
  }

  @Test
  void unknownKeyIsNamedWithTheKnownOnes() {
    assertThatThrownBy(() -> load("prot: 1883\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown setting 'prot'")
        .hasMessageContaining("port");
  }

  @Test
  void outOfRangeValueNamesSettingAndRange() {
    assertThatThrownBy(() -> load("port: 70000\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("port is 70000: set it to a value from 0 to 65535");
  }

  @Test
  void wrongTypeNamesSetting() {
    assertThatThrownBy(() -> load("max-qos: two\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("max-qos must be a whole number, got two; see docs/configuration.md for its range");
  }

  @Test
  void missingFileSaysWhichPath() {
    BrokerConfig.Builder builder = BrokerConfig.builder();
    assertThatThrownBy(() -> ConfigFile.apply(dir.resolve("absent.yaml"), builder))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("absent.yaml not found");
  }

  @Test
  void brokenYamlIsReported() {
    assertThatThrownBy(() -> load("port: [1883\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("is not valid YAML");
  }
}
