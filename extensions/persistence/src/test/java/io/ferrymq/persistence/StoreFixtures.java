package io.ferrymq.persistence;

import io.ferrymq.persistence.journal.Change;
import io.ferrymq.persistence.journal.JournalFiles;
import io.ferrymq.spi.Message;
import io.ferrymq.spi.storage.StoredDelivery;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/** Builders and file helpers shared by the store tests. */
final class StoreFixtures {

  private StoreFixtures() {
  }

  static Message message(String topic, String payload, int qos) {
    return Message.builder(topic).qos(qos).payload(payload.getBytes(StandardCharsets.UTF_8)).publisherId("pub")
        .build();
  }

  static StoredDelivery delivery(long id, String payload, int qos) {
    return new StoredDelivery(id, message("t/" + id, payload, qos), qos, false, new int[] {7}, 0, false);
  }

  static PersistenceConfig config(Map<String, Object> settings) {
    return PersistenceConfig.parse(settings);
  }

  static long folderBytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  /** Copies the store files as a crash would leave them: everything written, nothing closed. */
  static void copyFolder(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p) && !p.getFileName().toString().equals("store.lock")) {
          Files.copy(p, to.resolve(p.getFileName()));
        }
      }
    }
  }

  static Path lastSegment(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith("journal-")).sorted()
          .reduce((a, b) -> b).orElseThrow();
    }
  }

  /** Returns whether a journal segment in {@code store} contains a pending will, reading it while the broker writes. */
  static boolean journalHoldsWill(Path store) throws Exception {
    java.util.concurrent.atomic.AtomicBoolean found = new java.util.concurrent.atomic.AtomicBoolean();
    for (long segment : JournalFiles.list(store)) {
      JournalFiles.scan(JournalFiles.segment(store, segment), change -> {
        if (change instanceof Change.SaveWill) {
          found.set(true);
        }
      });
    }
    return found.get();
  }
}
