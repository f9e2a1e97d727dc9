package io.ferrymq.persistence.journal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Journal segment files: {@code journal-<number>.log}, numbered in write order. Each starts with a
 * five-byte header, the magic {@code FMQJ} and the format version, followed by framed records (see
 * {@link RecordCodec}).
 */
public final class JournalFiles {

  static final byte[] MAGIC = {'F', 'M', 'Q', 'J'};
  public static final int HEADER_BYTES = MAGIC.length + 1;
  private static final Pattern NAME = Pattern.compile("journal-(\\d{16})\\.log");

  private JournalFiles() {
  }

  public static Path segment(Path dir, long number) {
    return dir.resolve(String.format("journal-%016d.log", number));
  }

  /** Returns the segment numbers found in {@code dir}, in ascending order. */
  public static List<Long> list(Path dir) throws IOException {
    List<Long> numbers = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.forEach(p -> {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (m.matches()) {
          numbers.add(Long.parseLong(m.group(1)));
        }
      });
    }
    numbers.sort(null);
    return numbers;
  }

  static ByteBuffer header() {
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    header.put(MAGIC).put(RecordCodec.FORMAT_VERSION).flip();
    return header;
  }

  /**
   * The outcome of scanning one segment.
   *
   * @param tornTail whether the bytes past the last valid record look like an interrupted write: a
   *     record cut short by the end of the file, or one invalid record followed only by zero bytes
   *     (space the writer filled ahead, or a file extended without its data after a power loss).
   *     Other invalid bytes are damage.
   */
  public record ScanResult(long records, long validBytes, long fileBytes, String damage, boolean tornTail) {
    /** Whether bytes past the last valid record remain: a torn tail, or damage. */
    public boolean hasInvalidTail() {
      return validBytes < fileBytes;
    }
  }

  /**
   * Reads the records of one segment in order and hands each to {@code sink}, stopping at the first
   * record that is cut short or fails its checksum.
   *
   * @throws CorruptRecordException when the header is not a journal header or names an unknown
   *     version, or when an intact record does not parse
   */
  public static ScanResult scan(Path file, Consumer<Change> sink) throws IOException, CorruptRecordException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
      if (readFully(channel, header) < HEADER_BYTES) {
        // A segment created just before a crash may lack even its header; it contains no record.
        return new ScanResult(0, 0, size, size == 0 ? null : "header cut short", true);
      }
      header.flip();
      byte[] magic = new byte[MAGIC.length];
      header.get(magic);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        throw new CorruptRecordException("not a FerryMQ journal file (wrong magic bytes)");
      }
      byte version = header.get();
      if (version != RecordCodec.FORMAT_VERSION) {
        throw new CorruptRecordException("journal format version " + version + " is not supported; this broker reads "
            + "version " + RecordCodec.FORMAT_VERSION, true);
      }
      return scanRecords(channel, size, sink);
    }
  }

  private static ScanResult scanRecords(FileChannel channel, long size, Consumer<Change> sink)
      throws IOException, CorruptRecordException {
    long position = HEADER_BYTES;
    long records = 0;
    java.io.InputStream in = new java.io.BufferedInputStream(java.nio.channels.Channels.newInputStream(
        channel.position(position)), 1 << 16);
    java.io.DataInputStream data = new java.io.DataInputStream(in);
    while (position < size) {
      int length;
      int crc;
      try {
        length = data.readInt();
        crc = data.readInt();
      } catch (EOFException e) {
        return new ScanResult(records, position, size, "record header cut short at byte " + position, true);
      }
      if (length >= 2 && length <= RecordCodec.MAX_BODY_BYTES && position + RecordCodec.HEADER_BYTES + length > size) {
        return new ScanResult(records, position, size, "record cut short at byte " + position, true);
      }
      if (length < 2 || length > RecordCodec.MAX_BODY_BYTES) {
        return invalidAt(channel, records, position, position + RecordCodec.HEADER_BYTES, size,
            "invalid record length " + length);
      }
      byte[] body = new byte[length];
      data.readFully(body);
      if (!RecordCodec.checksumMatches(body, crc)) {
        return invalidAt(channel, records, position, position + RecordCodec.HEADER_BYTES + length, size,
            "checksum mismatch");
      }
      sink.accept(RecordCodec.decodeBody(body));
      records++;
      position += RecordCodec.HEADER_BYTES + length;
    }
    return new ScanResult(records, position, size, null, false);
  }

  /**
   * Describes an invalid record at {@code position}. It is a torn tail when only zero bytes follow
   * it from {@code recordEnd}: the journal writes into space filled with zeros ahead of time, so an
   * interrupted write leaves a record whose missing part reads as zeros, and nothing after it.
   */
  private static ScanResult invalidAt(FileChannel channel, long records, long position, long recordEnd, long size,
                                      String what) throws IOException {
    return new ScanResult(records, position, size, what + " at byte " + position,
        onlyZeros(channel, Math.min(recordEnd, size), size));
  }

  private static boolean onlyZeros(FileChannel channel, long from, long size) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
    long position = from;
    while (position < size) {
      buffer.clear();
      int n = channel.read(buffer, position);
      if (n < 0) {
        break;
      }
      for (int i = 0; i < n; i++) {
        if (buffer.get(i) != 0) {
          return false;
        }
      }
      position += n;
    }
    return true;
  }

  private static int readFully(FileChannel channel, ByteBuffer buffer) throws IOException {
    int total = 0;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  /** Forces a directory's entries to disk, so that a created, renamed or deleted file stays so after a crash. */
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
