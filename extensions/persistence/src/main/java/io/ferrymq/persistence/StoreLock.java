package io.ferrymq.persistence;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on the store folder, held while the store is open, so that two brokers never
 * write the same journal. The operating system releases it when the process dies, also on kill -9.
 */
final class StoreLock implements AutoCloseable {

  private final FileChannel channel;
  private final FileLock lock;

  private StoreLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock, or fails at once naming the folder when another process or store holds it. */
  static StoreLock acquire(Path dir) throws IOException {
    Path file = dir.resolve("store.lock");
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new IllegalStateException("persistence store " + dir + " is locked by another broker (lock file " + file
          + "); stop that broker, or give this one another --data-dir");
    }
    return new StoreLock(channel, lock);
  }

  @Override
  public void close() throws IOException {
    lock.release();
    channel.close();
  }
}
