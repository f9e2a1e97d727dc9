package io.ferrymq.persistence.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal segment being written: appends, forces, and keeps zero-filled space ahead of the
 * records. Forcing a write that makes the file longer also commits the new file size, a file system
 * journal commit, so extending the file a chunk at a time lets most forces flush data alone. On the
 * ext4 disk of the machine the benchmarks page describes, 512-byte O_DSYNC writes into such space took
 * 15 to 40 % less time than appends (dd, three runs). After a crash, zero bytes follow the last
 * record, and recovery cuts them off as an interrupted write. A closed segment is cut to its records.
 *
 * <p>Not thread-safe: the journal writer thread owns it.
 */
final class SegmentFile implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SegmentFile.class);
  static final int PREALLOCATE_BYTES = 1 << 20;
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10);

  private final Path file;
  private final long number;
  private final FileChannel channel;
  private long end;
  private long zeroFilledTo;
  private boolean preallocationFailed;

  private SegmentFile(Path file, long number, FileChannel channel, long end) {
    this.file = file;
    this.number = number;
    this.channel = channel;
    this.end = end;
    this.zeroFilledTo = end;
  }

  /** Creates segment {@code number} in {@code dir} with its header, forced to disk with the folder entry. */
  static SegmentFile create(Path dir, long number) throws IOException {
    Path file = JournalFiles.segment(dir, number);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    ByteBuffer header = JournalFiles.header();
    while (header.hasRemaining()) {
      channel.write(header);
    }
    channel.force(true);
    JournalFiles.syncDirectory(dir);
    return new SegmentFile(file, number, channel, JournalFiles.HEADER_BYTES);
  }

  Path file() {
    return file;
  }

  long number() {
    return number;
  }

  /** Returns the offset just past the last record written. */
  long end() {
    return end;
  }

  /** Writes {@code records} after the last record; nothing is durable before {@link #force}. */
  void append(ByteBuffer records) throws IOException {
    preallocate(end + records.remaining());
    long position = end;
    while (records.hasRemaining()) {
      position += channel.write(records, position);
    }
    end = position;
  }

  /**
   * Fills the file with zeros up to a chunk past {@code needed}. Best effort: on a nearly full disk
   * the zeros are cut off again, and records are appended as they are until a later try succeeds.
   */
  private void preallocate(long needed) {
    if (needed <= zeroFilledTo) {
      return;
    }
    long target = needed + PREALLOCATE_BYTES;
    long position = Math.max(zeroFilledTo, end);
    try {
      while (position < target) {
        ByteBuffer zeros = ZEROS.duplicate();
        zeros.limit((int) Math.min(zeros.capacity(), target - position));
        position += channel.write(zeros, position);
      }
      zeroFilledTo = target;
      preallocationFailed = false;
    } catch (IOException e) {
      if (!preallocationFailed) {
        log.warn("journal segment {} could not be extended ahead of its records, appending without it error={}",
            file, e.toString());
      }
      preallocationFailed = true;
      try {
        channel.truncate(end);
      } catch (IOException truncateFailure) {
        log.debug("cutting the zero fill of {} back failed: {}", file, truncateFailure.toString());
      }
      zeroFilledTo = end;
    }
  }

  /** Forces the records written so far to disk. */
  void force() throws IOException {
    channel.force(false);
  }

  /** Cuts the segment back to {@code position}, so that later records follow the last good one. */
  void rollBack(long position) throws IOException {
    end = position;
    zeroFilledTo = position;
    channel.truncate(position);
    channel.force(false);
  }

  /** Cuts the zero fill off, forces the segment and closes it. */
  @Override
  public void close() throws IOException {
    channel.truncate(end);
    channel.force(true);
    channel.close();
  }
}
