package io.ferrymq.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Start-up faults as an operator meets them: the launcher exits, naming the file and the fix. */
@Timeout(180)
class LauncherFaultTest {

  @TempDir
  Path dir;

  @Test
  void secondBrokerOnSameFolderExits() throws Exception {
    Path data = dir.resolve("data");
    Path config = BrokerProcess.config(dir);
    try (BrokerProcess first = BrokerProcess.start(data, config, dir);
         BrokerProcess second = BrokerProcess.launch(data, config, dir)) {
      assertThat(second.awaitExit()).isEqualTo(1);
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> second.output.stream().anyMatch(l ->
          l.contains("ferrymq: could not start:") && l.contains("is locked by another broker")
              && l.contains(data.resolve("persistence").resolve("store.lock").toString())));
    }
  }

  @Test
  void damagedStoreStopsStartThenMoveAsideStarts() throws Exception {
    Path data = dir.resolve("data");
    Path config = BrokerProcess.config(dir);
    try (BrokerProcess broker = BrokerProcess.start(data, config, dir);
         Mqtt sub = Mqtt.connect(broker.uri(), "fault-sub", true, 600)) {
      sub.client.subscribe("fault/#", 1);
      broker.kill();
    }
    Path segment;
    try (Stream<Path> files = Files.list(data.resolve("persistence"))) {
      segment = files.filter(p -> p.getFileName().toString().startsWith("journal-")).findFirst().orElseThrow();
    }
    try (RandomAccessFile raf = new RandomAccessFile(segment.toFile(), "rw")) {
      raf.seek(12);
      raf.write(new byte[] {0x55, 0x55, 0x55});
    }

    try (BrokerProcess refused = BrokerProcess.launch(data, config, dir)) {
      assertThat(refused.awaitExit()).isEqualTo(1);
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> refused.output.stream().anyMatch(l ->
          l.contains(segment.toString()) && l.contains("damaged-files: move-aside")));
    }

    Path salvage = BrokerProcess.config(dir, "damaged-files: move-aside");
    try (BrokerProcess started = BrokerProcess.start(data, salvage, dir)) {
      assertThat(started.output).anyMatch(l -> l.contains("damaged file"));
    }
  }
}
