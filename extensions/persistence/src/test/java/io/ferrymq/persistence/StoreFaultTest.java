package io.ferrymq.persistence;

import static io.ferrymq.persistence.StoreFixtures.delivery;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrymq.broker.FerryBroker;
import io.ferrymq.broker.config.BrokerConfig;
import io.ferrymq.persistence.journal.DiskFullException;
import io.ferrymq.spi.storage.QuotaExceededException;
import io.ferrymq.spi.storage.StoredSession;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Store files damaged from outside, written by another format version, or on a full disk: open
 * fails naming the file, move-aside keeps what still reads, and nothing committed is lost.
 */
@Timeout(120)
class StoreFaultTest {

  @TempDir
  Path dir;

  private final PersistenceConfig config = PersistenceConfig.defaults();
  private final PersistenceConfig salvage = StoreFixtures.config(Map.of("damaged-files", "move-aside"));

  /** Writes ten queued messages for c1 and leaves them in a checkpoint plus a later journal segment. */
  private void writeTen() throws Exception {
    try (DurableStore store = DurableStore.open(dir, config)) {
      DurableSessionStore sessions = new DurableSessionStore(store, config);
      sessions.saveSession("c1", 300);
      for (int i = 1; i <= 5; i++) {
        sessions.enqueue("c1", i, delivery(i, "m" + i, 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      }
      store.checkpoint().get(10, TimeUnit.SECONDS);
      for (int i = 6; i <= 10; i++) {
        sessions.enqueue("c1", i, delivery(i, "m" + i, 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      }
      // Keep the last five in the journal: copy before close writes its final checkpoint.
      StoreFixtures.copyFolder(dir, dir.resolve("snapshot"));
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p) && !p.getFileName().toString().equals("store.lock")) {
          Files.delete(p);
        }
      }
    }
    try (Stream<Path> files = Files.list(dir.resolve("snapshot"))) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.move(p, dir.resolve(p.getFileName()));
      }
    }
    Files.delete(dir.resolve("snapshot"));
  }

  private Path onlyFile(String prefix) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
    }
  }

  private static void overwrite(Path file, long offset, byte[] bytes) throws Exception {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      raf.write(bytes);
    }
  }

  private List<String> payloads(DurableStore store) {
    List<String> out = new ArrayList<>();
    for (StoredSession s : new DurableSessionStore(store, config).load()) {
      s.deliveries().forEach(d -> out.add(d.message().payloadAsString()));
    }
    return out;
  }

  @Test
  void damagedJournalStopsOpenNamingFile() throws Exception {
    writeTen();
    Path segment = onlyFile("journal-");
    // Damage the first record; intact records follow, so this is not a crash's torn tail.
    overwrite(segment, 20, new byte[] {1, 2, 3, 4});
    assertThatThrownBy(() -> DurableStore.open(dir, config))
        .isInstanceOf(StoreDamagedException.class)
        .hasMessageContaining(segment.toString())
        .hasMessageContaining("checksum mismatch");
    assertThat(PersistenceExtension.advice((StoreDamagedException) catchOpen(config)))
        .contains("damaged-files: move-aside");
  }

  private Exception catchOpen(PersistenceConfig settings) {
    try (DurableStore store = DurableStore.open(dir, settings)) {
      return null;
    } catch (Exception e) {
      return e;
    }
  }

  @Test
  void damagedJournalMovedAsideKeepsCheckpoint() throws Exception {
    writeTen();
    Path segment = onlyFile("journal-");
    overwrite(segment, 20, new byte[] {1, 2, 3, 4});
    try (DurableStore store = DurableStore.open(dir, salvage)) {
      assertThat(payloads(store)).containsExactly("m1", "m2", "m3", "m4", "m5");
    }
    assertThat(onlyFile("damaged-").resolve(segment.getFileName())).exists();
  }

  @Test
  void damagedCheckpointStopsOpenThenSalvagesJournal() throws Exception {
    writeTen();
    Path checkpoint = onlyFile("checkpoint-");
    long size = Files.size(checkpoint);
    overwrite(checkpoint, 0, new byte[4096]);
    overwrite(checkpoint, size / 2, new byte[8192]);
    Exception failure = catchOpen(config);
    assertThat(failure).isInstanceOf(StoreDamagedException.class).hasMessageContaining(checkpoint.toString());
    try (DurableStore store = DurableStore.open(dir, salvage)) {
      // What the checkpoint held may be lost; the journal after it still reads.
      assertThat(payloads(store)).contains("m6", "m7", "m8", "m9", "m10");
    }
    assertThat(onlyFile("damaged-").resolve(checkpoint.getFileName())).exists();
  }

  @Test
  void newerFormatVersionIsRefusedNamingIt() throws Exception {
    writeTen();
    Path segment = onlyFile("journal-");
    overwrite(segment, 4, new byte[] {9});
    Exception failure = catchOpen(config);
    assertThat(failure).isInstanceOf(StoreDamagedException.class)
        .hasMessageContaining(segment.toString())
        .hasMessageContaining("format version 9 is not supported");
    assertThat(((StoreDamagedException) failure).unknownVersion()).isTrue();
    assertThat(PersistenceExtension.advice((StoreDamagedException) failure)).contains("another FerryMQ version");
  }

  @Test
  void secondOpenOfLockedFolderFails() throws Exception {
    try (DurableStore first = DurableStore.open(dir, config)) {
      assertThatThrownBy(() -> DurableStore.open(dir, config))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("is locked by another broker")
          .hasMessageContaining(dir.resolve("store.lock").toString());
    }
    DurableStore.open(dir, config).close();
  }

  @Test
  void fullDiskFailsCommitsAndKeepsCommitted() throws Exception {
    Path mount = dir.resolve("tiny");
    mountTmpfs(mount, 4);
    try {
      Path filler = mount.resolve("filler");
      Files.write(filler, new byte[1 << 20]);
      PersistenceConfig noCheckpoint = StoreFixtures.config(Map.of("checkpoint-bytes", 1L << 40));
      Path storeDir = mount.resolve("store");
      List<Integer> committed = new ArrayList<>();
      Throwable failure = null;
      try (DurableStore store = DurableStore.open(storeDir, noCheckpoint)) {
        DurableSessionStore sessions = new DurableSessionStore(store, noCheckpoint);
        sessions.saveSession("c1", 300);
        String kilobyte = "x".repeat(1024);
        for (int i = 1; i <= 10_000 && failure == null; i++) {
          CompletableFuture<Void> done = sessions.enqueue("c1", i, delivery(i, kilobyte, 1)).toCompletableFuture();
          try {
            done.get(10, TimeUnit.SECONDS);
            committed.add(i);
          } catch (ExecutionException e) {
            failure = e.getCause();
          }
        }
        assertThat(failure).isInstanceOf(DiskFullException.class).isInstanceOf(QuotaExceededException.class);
        Files.delete(filler);
        // With space back, commits succeed again.
        sessions.enqueue("c1", 20_000, delivery(20_000, "after", 1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        committed.add(20_000);
      }
      try (DurableStore store = DurableStore.open(storeDir, noCheckpoint)) {
        List<Long> ids = new ArrayList<>();
        new DurableSessionStore(store, noCheckpoint).load().get(0).deliveries().forEach(d -> ids.add(d.deliveryId()));
        assertThat(ids).containsExactlyElementsOf(committed.stream().map(Integer::longValue).toList());
      }
    } finally {
      new ProcessBuilder("umount", mount.toString()).start().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Mounts a tmpfs of {@code megabytes} MiB on {@code mount}, or skips the test where mounting is not allowed. */
  private static void mountTmpfs(Path mount, int megabytes) throws Exception {
    Files.createDirectories(mount);
    Process mountProcess = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs",
        mount.toString()).redirectErrorStream(true).start();
    Assumptions.assumeTrue(mountProcess.waitFor(10, TimeUnit.SECONDS) && mountProcess.exitValue() == 0,
        "mounting a " + megabytes + " MiB tmpfs was refused on this machine");
  }

  @Test
  void fullDiskGivesV5PublisherQuotaExceeded() throws Exception {
    Path mount = dir.resolve("tiny-broker");
    mountTmpfs(mount, 2);
    try {
      // Leave about 256 KiB for the journal.
      Path filler = mount.resolve("filler");
      Files.write(filler, new byte[(2 << 20) - (256 << 10)]);
      Path data = mount.resolve("data");
      Map<String, Object> section = Map.of("enabled", true, "checkpoint-bytes", 1L << 40);
      List<String> acknowledged = new ArrayList<>();
      int rejectReason;
      FerryBroker first = FerryBroker.builder().config(BrokerConfig.builder().port(0).wsPort(-1).eventLoops(2)
          .dataDir(data).extension("persistence", section).build()).start();
      String firstUri = "tcp://127.0.0.1:" + first.port();
      try {
        try (Mqtt sub = Mqtt.connect(firstUri, "full-sub", true, 600)) {
          sub.client.subscribe("full/#", 1);
        }
        MqttAsyncClient pub = new MqttAsyncClient(firstUri, "full-pub", new MemoryPersistence());
        pub.connect().waitForCompletion(10_000);
        try {
          String kilobyte = "x".repeat(1024);
          rejectReason = 0;
          for (int i = 1; i <= 1000 && rejectReason == 0; i++) {
            int reason = publishReason(pub, "m" + i + kilobyte);
            if (reason == 0) {
              acknowledged.add("m" + i);
            } else {
              rejectReason = reason;
            }
          }
          assertThat(rejectReason).as("PUBACK reason once the disk is full").isEqualTo(0x97);
          assertThat(acknowledged).isNotEmpty();

          Files.delete(filler);
          assertThat(publishReason(pub, "after" + kilobyte)).as("PUBACK reason once space is back").isZero();
          acknowledged.add("after");
        } finally {
          pub.disconnect().waitForCompletion(10_000);
          pub.close();
        }
      } finally {
        first.stop();
      }

      FerryBroker second = FerryBroker.builder().config(BrokerConfig.builder().port(0).wsPort(-1).eventLoops(2)
          .dataDir(data).extension("persistence", section).build()).start();
      try (Mqtt sub = Mqtt.connect("tcp://127.0.0.1:" + second.port(), "full-sub", false, 600)) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> sub.messages().size() >= acknowledged.size());
        Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
            .until(() -> sub.messages().size() == acknowledged.size());
        assertThat(sub.messages()).extracting(r -> r.text().replace("x", ""))
            .containsExactlyElementsOf(acknowledged);
      } finally {
        second.stop();
      }
    } finally {
      new ProcessBuilder("umount", mount.toString()).start().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Publishes at QoS 1 and returns the reason code of the PUBACK. */
  private static int publishReason(MqttAsyncClient pub, String text) throws Exception {
    try {
      IMqttToken token = pub.publish("full/x", text.getBytes(StandardCharsets.UTF_8), 1, false,
          null, null);
      token.waitForCompletion(10_000);
      int[] codes = token.getReasonCodes();
      return codes == null || codes.length == 0 ? 0 : codes[0];
    } catch (MqttException e) {
      return e.getReasonCode();
    }
  }
}
