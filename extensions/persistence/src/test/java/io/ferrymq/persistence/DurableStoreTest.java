package io.ferrymq.persistence;

import static io.ferrymq.persistence.StoreFixtures.delivery;
import static io.ferrymq.persistence.StoreFixtures.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.spi.Message;
import io.ferrymq.spi.storage.StoredDelivery;
import io.ferrymq.spi.storage.StoredSession;
import io.ferrymq.spi.storage.StoredSubscription;
import io.ferrymq.spi.storage.StoredWill;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Write, close or crash, reopen: each stored kind comes back, from the journal and from a checkpoint. */
@Timeout(60)
class DurableStoreTest {

  @TempDir
  Path dir;

  private final PersistenceConfig config = PersistenceConfig.defaults();

  private static void writeEveryKind(DurableStore store) throws Exception {
    DurableSessionStore sessions = new DurableSessionStore(store, PersistenceConfig.defaults());
    DurableRetainedStore retained = new DurableRetainedStore(store);
    sessions.saveSession("c1", 300);
    sessions.saveSubscription("c1", new StoredSubscription("$share/g/a/#", 2, true, true, 1, 42));
    sessions.saveSubscription("c1", new StoredSubscription("b/+", 1, false, false, 0, 0));
    sessions.saveSubscription("c1", new StoredSubscription("gone", 1, false, false, 0, 0));
    sessions.removeSubscription("c1", "gone");
    sessions.enqueue("c1", 10, delivery(10, "queued", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    sessions.enqueue("c1", 11, delivery(11, "sent", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    sessions.markSent("c1", 11, 5);
    sessions.enqueue("c1", 12, delivery(12, "released", 2)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    sessions.markSent("c1", 12, 6);
    sessions.markReleased("c1", 12);
    sessions.enqueue("c1", 13, delivery(13, "acked", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    sessions.removeDelivery("c1", 13);
    sessions.addInboundQos2("c1", 99).toCompletableFuture().get(5, TimeUnit.SECONDS);
    sessions.addInboundQos2("c1", 98).toCompletableFuture().get(5, TimeUnit.SECONDS);
    sessions.removeInboundQos2("c1", 98);
    sessions.saveWill("c1", new StoredWill(message("w/first", "replaced", 1), 1_000));
    sessions.saveWill("c1", new StoredWill(message("w/c1", "gone", 1), 1_700_000_005_000L));
    sessions.markOffline("c1", 1_700_000_000_000L);
    sessions.saveSession("ended", 60);
    sessions.enqueue("ended", 14, delivery(14, "dropped", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    sessions.removeSession("ended");
    retained.put(message("r/1", "kept", 1).toBuilder().retain(true).build()).toCompletableFuture().get(5, TimeUnit.SECONDS);
    retained.put(message("r/2", "cleared", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    retained.remove("r/2").toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static void assertEveryKind(DurableStore store) {
    List<StoredSession> sessions = new DurableSessionStore(store, PersistenceConfig.defaults()).load();
    assertThat(sessions).extracting(StoredSession::clientId).containsExactly("c1");
    StoredSession c1 = sessions.get(0);
    assertThat(c1.expirySeconds()).isEqualTo(300);
    assertThat(c1.subscriptions()).containsExactly(new StoredSubscription("$share/g/a/#", 2, true, true, 1, 42),
        new StoredSubscription("b/+", 1, false, false, 0, 0));
    assertThat(c1.deliveries()).extracting(StoredDelivery::deliveryId).containsExactly(10L, 11L, 12L);
    StoredDelivery queued = c1.deliveries().get(0);
    assertThat(queued.packetId()).isZero();
    assertThat(queued.message().payloadAsString()).isEqualTo("queued");
    assertThat(queued.subscriptionIds()).containsExactly(7);
    assertThat(c1.deliveries().get(1).packetId()).isEqualTo(5);
    assertThat(c1.deliveries().get(1).released()).isFalse();
    assertThat(c1.deliveries().get(2).packetId()).isEqualTo(6);
    assertThat(c1.deliveries().get(2).released()).isTrue();
    assertThat(c1.inboundQos2()).containsExactly(99);
    assertThat(c1.offlineSinceMillis()).isEqualTo(1_700_000_000_000L);
    assertThat(c1.pendingWill().dueAtMillis()).isEqualTo(1_700_000_005_000L);
    assertThat(c1.pendingWill().message().topic()).isEqualTo("w/c1");
    assertThat(c1.pendingWill().message().payloadAsString()).isEqualTo("gone");
    List<Message> retained = new DurableRetainedStore(store).load();
    assertThat(retained).extracting(Message::topic).containsExactly("r/1");
    assertThat(retained.get(0).payloadAsString()).isEqualTo("kept");
  }

  @Test
  void everyKindSurvivesCloseAndReopen() throws Exception {
    try (DurableStore store = DurableStore.open(dir, config)) {
      writeEveryKind(store);
    }
    try (DurableStore store = DurableStore.open(dir, config)) {
      assertEveryKind(store);
    }
  }

  @Test
  void everyKindSurvivesCrashFromJournalAlone() throws Exception {
    Path crashed = dir.resolve("crashed");
    try (DurableStore store = DurableStore.open(dir.resolve("live"), config)) {
      writeEveryKind(store);
      // Every stage completed, so the records are forced; copy them as a kill -9 would leave them.
      store.journal().submit(new io.ferrymq.persistence.journal.Change.SaveSession("marker", 1), true).get(5,
          TimeUnit.SECONDS);
      StoreFixtures.copyFolder(dir.resolve("live"), crashed);
    }
    assertThat(Files.exists(crashed.resolve("CURRENT"))).isFalse();
    try (DurableStore store = DurableStore.open(crashed, config)) {
      List<StoredSession> sessions = new DurableSessionStore(store, config).load();
      assertThat(sessions).extracting(StoredSession::clientId).containsExactlyInAnyOrder("c1", "marker");
      StoredSession c1 = sessions.stream().filter(s -> s.clientId().equals("c1")).findFirst().orElseThrow();
      assertThat(c1.offlineSinceMillis()).isEqualTo(1_700_000_000_000L);
      assertThat(c1.pendingWill().message().topic()).isEqualTo("w/c1");
    }
  }

  @Test
  void checkpointPlusLaterJournalRestoresEverything() throws Exception {
    Path crashed = dir.resolve("crashed");
    try (DurableStore store = DurableStore.open(dir.resolve("live"), config)) {
      DurableSessionStore sessions = new DurableSessionStore(store, config);
      sessions.saveSession("c1", 300);
      sessions.enqueue("c1", 1, delivery(1, "before", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      store.checkpoint().get(10, TimeUnit.SECONDS);
      sessions.markSent("c1", 1, 3);
      sessions.enqueue("c1", 2, delivery(2, "after", 2)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      StoreFixtures.copyFolder(dir.resolve("live"), crashed);
    }
    assertThat(Files.exists(crashed.resolve("CURRENT"))).isTrue();
    try (DurableStore store = DurableStore.open(crashed, config)) {
      StoredSession c1 = new DurableSessionStore(store, config).load().get(0);
      assertThat(c1.deliveries()).extracting(d -> d.message().payloadAsString()).containsExactly("before", "after");
      assertThat(c1.deliveries().get(0).packetId()).isEqualTo(3);
    }
  }

  @Test
  void tornTailOfLastSegmentIsDropped() throws Exception {
    Path crashed = dir.resolve("crashed");
    try (DurableStore store = DurableStore.open(dir.resolve("live"), config)) {
      DurableSessionStore sessions = new DurableSessionStore(store, config);
      sessions.saveSession("c1", 300);
      sessions.enqueue("c1", 1, delivery(1, "whole", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      StoreFixtures.copyFolder(dir.resolve("live"), crashed);
    }
    // Half a record, as a kill in the middle of a write leaves it: written after the last whole record,
    // into the zeros that the journal fills ahead of its records.
    byte[] record = io.ferrymq.persistence.journal.RecordCodec.encode(
        new io.ferrymq.persistence.journal.Change.Enqueue("c1", delivery(2, "torn", 1)));
    Path segment = StoreFixtures.lastSegment(crashed);
    long validEnd = io.ferrymq.persistence.journal.JournalFiles.scan(segment, change -> { }).validBytes();
    assertThat(Files.size(segment)).as("zero fill after the records").isGreaterThan(validEnd + record.length);
    try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(segment, StandardOpenOption.WRITE)) {
      channel.write(java.nio.ByteBuffer.wrap(java.util.Arrays.copyOf(record, record.length / 2)), validEnd);
    }
    try (DurableStore store = DurableStore.open(crashed, config)) {
      DurableSessionStore sessions = new DurableSessionStore(store, config);
      assertThat(sessions.load().get(0).deliveries()).extracting(d -> d.message().payloadAsString())
          .containsExactly("whole");
      // The store keeps working after the cut.
      sessions.enqueue("c1", 3, delivery(3, "next", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
    try (DurableStore store = DurableStore.open(crashed, config)) {
      assertThat(new DurableSessionStore(store, config).load().get(0).deliveries())
          .extracting(d -> d.message().payloadAsString()).containsExactly("whole", "next");
    }
  }

  @Test
  void acknowledgedInSameGroupSkipsForce() throws Exception {
    // A long commit interval keeps the records submitted back to back in one group.
    PersistenceConfig slowGroups = StoreFixtures.config(Map.of("commit-interval-ms", 200));
    try (DurableStore store = DurableStore.open(dir, slowGroups)) {
      java.util.concurrent.atomic.AtomicInteger forcedGroups = new java.util.concurrent.atomic.AtomicInteger();
      store.journal().observeCommits((nanos, records) -> forcedGroups.incrementAndGet());
      DurableSessionStore sessions = new DurableSessionStore(store, slowGroups);
      sessions.saveSession("c1", 300);

      var acknowledged = sessions.enqueue("c1", 1, delivery(1, "acked", 1)).toCompletableFuture();
      sessions.markSent("c1", 1, 1);
      sessions.removeDelivery("c1", 1);
      acknowledged.get(5, TimeUnit.SECONDS);
      assertThat(forcedGroups.get()).as("forces for a message acknowledged in its own group").isZero();

      sessions.enqueue("c1", 2, delivery(2, "kept", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(forcedGroups.get()).as("forces for a message still queued").isEqualTo(1);
    }
    try (DurableStore store = DurableStore.open(dir, config)) {
      assertThat(new DurableSessionStore(store, config).load().get(0).deliveries())
          .extracting(d -> d.message().payloadAsString()).containsExactly("kept");
    }
  }

  @Test
  void expiredQueuedMessagesArePurgedOnOpen() throws Exception {
    try (DurableStore store = DurableStore.open(dir, config)) {
      DurableSessionStore sessions = new DurableSessionStore(store, config);
      DurableRetainedStore retained = new DurableRetainedStore(store);
      sessions.saveSession("c1", 300);
      Message shortLived = message("t", "short", 1).toBuilder().expiryAtMillis(System.currentTimeMillis() + 200).build();
      sessions.enqueue("c1", 1, new StoredDelivery(1, shortLived, 1, false, new int[0], 0, false))
          .toCompletableFuture().get(5, TimeUnit.SECONDS);
      sessions.enqueue("c1", 2, delivery(2, "lasting", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      retained.put(shortLived.toBuilder().topic("r").build()).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
    Thread.sleep(300);
    try (DurableStore store = DurableStore.open(dir, config)) {
      assertThat(new DurableSessionStore(store, config).load().get(0).deliveries())
          .extracting(d -> d.message().payloadAsString()).containsExactly("lasting");
      assertThat(new DurableRetainedStore(store).load()).isEmpty();
    }
  }

  @Test
  void queueBoundsRefuseWithoutStoring() throws Exception {
    PersistenceConfig bounded = StoreFixtures.config(Map.of("max-queued-messages", 2, "max-queued-bytes", 10));
    try (DurableStore store = DurableStore.open(dir, bounded)) {
      DurableSessionStore sessions = new DurableSessionStore(store, bounded);
      sessions.saveSession("c1", 300);
      sessions.enqueue("c1", 1, delivery(1, "aaaa", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(sessions.enqueue("c1", 2, delivery(2, "bbbbbbbb", 1)).toCompletableFuture())
          .failsWithin(5, TimeUnit.SECONDS).withThrowableThat().withMessageContaining("max-queued-bytes 10");
      sessions.enqueue("c1", 3, delivery(3, "cc", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(sessions.enqueue("c1", 4, delivery(4, "d", 1)).toCompletableFuture())
          .failsWithin(5, TimeUnit.SECONDS).withThrowableThat().withMessageContaining("max-queued-messages 2");
      sessions.removeDelivery("c1", 1);
      sessions.enqueue("c1", 5, delivery(5, "e", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
    try (DurableStore store = DurableStore.open(dir, bounded)) {
      assertThat(new DurableSessionStore(store, bounded).load().get(0).deliveries())
          .extracting(StoredDelivery::deliveryId).containsExactly(3L, 5L);
    }
  }

  @Test
  void drainedQueueGivesItsSpaceBack() throws Exception {
    PersistenceConfig small = StoreFixtures.config(Map.of("checkpoint-bytes", 1 << 20));
    try (DurableStore store = DurableStore.open(dir, small)) {
      DurableSessionStore sessions = new DurableSessionStore(store, small);
      sessions.saveSession("c1", 300);
      store.checkpoint().get(10, TimeUnit.SECONDS);
      long floor = StoreFixtures.folderBytes(dir);
      String kilobyte = "x".repeat(1024);
      java.util.concurrent.CompletableFuture<?> last = null;
      for (int i = 1; i <= 20_000; i++) {
        last = sessions.enqueue("c1", i, delivery(i, kilobyte, 1)).toCompletableFuture();
      }
      last.get(30, TimeUnit.SECONDS);
      store.checkpoint().get(30, TimeUnit.SECONDS);
      long full = StoreFixtures.folderBytes(dir);
      for (int i = 1; i <= 20_000; i++) {
        sessions.removeDelivery("c1", i);
      }
      store.checkpoint().get(30, TimeUnit.SECONDS);
      long drained = StoreFixtures.folderBytes(dir);
      assertThat(full).isGreaterThan(20_000L * 1024);
      assertThat(drained).isLessThan(floor + (2 << 20));
    }
  }
}
