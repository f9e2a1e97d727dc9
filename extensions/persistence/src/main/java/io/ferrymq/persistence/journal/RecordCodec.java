package io.ferrymq.persistence.journal;

import io.ferrymq.spi.Message;
import io.ferrymq.spi.storage.StoredDelivery;
import io.ferrymq.spi.storage.StoredSubscription;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Turns {@link Change}s into framed, checksummed records and back. The journal and the checkpoints
 * store the same records.
 *
 * <pre>
 *   int32  length of the body (format version byte onwards)
 *   int32  CRC32C of the body
 *   body:  byte format version, byte change type, fields of the change
 * </pre>
 *
 * A record whose version is not {@link #FORMAT_VERSION} is rejected, so a file written by a newer
 * format fails loudly instead of being misread.
 */
public final class RecordCodec {

  public static final byte FORMAT_VERSION = 1;
  public static final int HEADER_BYTES = 8;
  /** Larger than any record the broker can produce (a 256 MiB payload plus its properties). */
  public static final int MAX_BODY_BYTES = 300 * 1024 * 1024;

  private RecordCodec() {
  }

  /** A per-thread buffer that records are encoded into before one copy into an exact-size array. */
  private static final class EncodeBuffer extends ByteArrayOutputStream {
    /** Above this, a buffer that grew for a large payload is dropped after use rather than kept by the thread. */
    static final int KEEP_BYTES = 1 << 20;
    final DataOutputStream data = new DataOutputStream(this);

    EncodeBuffer() {
      super(4096);
    }

    /** Copies the framed record out, after filling in its header. */
    byte[] frame() {
      int bodyLength = count - HEADER_BYTES;
      CRC32C crc = new CRC32C();
      crc.update(buf, HEADER_BYTES, bodyLength);
      ByteBuffer header = ByteBuffer.wrap(buf, 0, HEADER_BYTES);
      header.putInt(bodyLength);
      header.putInt((int) crc.getValue());
      return java.util.Arrays.copyOf(buf, count);
    }

    boolean oversized() {
      return buf.length > KEEP_BYTES;
    }
  }

  private static final ThreadLocal<EncodeBuffer> BUFFERS = ThreadLocal.withInitial(EncodeBuffer::new);

  /** Encodes {@code change} into one framed record. */
  public static byte[] encode(Change change) {
    EncodeBuffer buffer = BUFFERS.get();
    buffer.reset();
    try {
      DataOutputStream out = buffer.data;
      out.writeInt(0);
      out.writeInt(0);
      out.writeByte(FORMAT_VERSION);
      out.writeByte(change.type());
      change.writeFields(out);
      return buffer.frame();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (buffer.oversized()) {
        BUFFERS.remove();
      }
    }
  }

  /**
   * Decodes the body of one record whose checksum was already verified.
   *
   * @throws CorruptRecordException when the version is unknown or the fields do not parse
   */
  public static Change decodeBody(byte[] body) throws CorruptRecordException {
    if (body.length < 2) {
      throw new CorruptRecordException("record body of " + body.length + " bytes is too short");
    }
    if (body[0] != FORMAT_VERSION) {
      throw new CorruptRecordException("record format version " + body[0] + " is not supported; this broker reads "
          + "version " + FORMAT_VERSION, true);
    }
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body, 2, body.length - 2))) {
      return Change.read(body[1], in);
    } catch (IOException | RuntimeException e) {
      throw new CorruptRecordException("record of type " + body[1] + " does not parse: " + e);
    }
  }

  /** Returns whether {@code crc} is the CRC32C of {@code body}. */
  public static boolean checksumMatches(byte[] body, int crc) {
    CRC32C expected = new CRC32C();
    expected.update(body, 0, body.length);
    return (int) expected.getValue() == crc;
  }

  /**
   * Decodes a buffer of framed records written back to back, as a checkpoint stores them.
   *
   * @throws CorruptRecordException when a frame is cut short, fails its checksum or does not parse
   */
  public static List<Change> decodeAll(byte[] records) throws CorruptRecordException {
    List<Change> out = new ArrayList<>(2);
    ByteBuffer buffer = ByteBuffer.wrap(records);
    while (buffer.hasRemaining()) {
      if (buffer.remaining() < HEADER_BYTES) {
        throw new CorruptRecordException("record header cut short");
      }
      int length = buffer.getInt();
      int crc = buffer.getInt();
      if (length < 2 || length > buffer.remaining()) {
        throw new CorruptRecordException("record length " + length + " is out of range");
      }
      byte[] body = new byte[length];
      buffer.get(body);
      if (!checksumMatches(body, crc)) {
        throw new CorruptRecordException("record checksum mismatch");
      }
      out.add(decodeBody(body));
    }
    return out;
  }

  // ---- field helpers shared by the change types ----

  static void writeNullableString(DataOutputStream out, String value) throws IOException {
    out.writeBoolean(value != null);
    if (value != null) {
      writeString(out, value);
    }
  }

  static String readNullableString(DataInputStream in) throws IOException {
    return in.readBoolean() ? readString(in) : null;
  }

  /** Writes a string as length-prefixed UTF-8; {@code writeUTF} would cap it at 65535 bytes. */
  static void writeString(DataOutputStream out, String value) throws IOException {
    writeBytes(out, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static String readString(DataInputStream in) throws IOException {
    return new String(readBytes(in), java.nio.charset.StandardCharsets.UTF_8);
  }

  static void writeBytes(DataOutputStream out, byte[] value) throws IOException {
    out.writeInt(value.length);
    out.write(value);
  }

  static byte[] readBytes(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > MAX_BODY_BYTES) {
      throw new IOException("field length " + length + " is out of range");
    }
    byte[] value = new byte[length];
    in.readFully(value);
    return value;
  }

  static void writeMessage(DataOutputStream out, Message m) throws IOException {
    writeString(out, m.topic());
    out.writeByte(m.qos());
    out.writeBoolean(m.retain());
    writeBytes(out, m.payload());
    writeNullableString(out, m.publisherId());
    out.writeLong(m.receivedAtMillis());
    out.writeLong(m.expiryAtMillis());
    out.writeInt(m.payloadFormatIndicator() == null ? -1 : m.payloadFormatIndicator());
    writeNullableString(out, m.contentType());
    writeNullableString(out, m.responseTopic());
    out.writeBoolean(m.correlationData() != null);
    if (m.correlationData() != null) {
      writeBytes(out, m.correlationData());
    }
    out.writeInt(m.userProperties().size());
    for (Message.UserProperty p : m.userProperties()) {
      writeString(out, p.name());
      writeString(out, p.value());
    }
  }

  static Message readMessage(DataInputStream in) throws IOException {
    Message.Builder b = Message.builder(readString(in));
    b.qos(in.readByte());
    b.retain(in.readBoolean());
    b.payload(readBytes(in));
    b.publisherId(readNullableString(in));
    // The nano time of receipt means nothing in another process; latency counts from the restore.
    b.receivedAt(in.readLong(), System.nanoTime());
    b.expiryAtMillis(in.readLong());
    int format = in.readInt();
    b.payloadFormatIndicator(format < 0 ? null : format);
    b.contentType(readNullableString(in));
    b.responseTopic(readNullableString(in));
    if (in.readBoolean()) {
      b.correlationData(readBytes(in));
    }
    int properties = in.readInt();
    if (properties < 0 || properties > 65535) {
      throw new IOException("user property count " + properties + " is out of range");
    }
    List<Message.UserProperty> list = new ArrayList<>(properties);
    for (int i = 0; i < properties; i++) {
      list.add(new Message.UserProperty(readString(in), readString(in)));
    }
    b.userProperties(list);
    return b.build();
  }

  static void writeSubscription(DataOutputStream out, StoredSubscription s) throws IOException {
    writeString(out, s.fullFilter());
    out.writeByte(s.qos());
    out.writeBoolean(s.noLocal());
    out.writeBoolean(s.retainAsPublished());
    out.writeByte(s.retainHandling());
    out.writeInt(s.subscriptionId());
  }

  static StoredSubscription readSubscription(DataInputStream in) throws IOException {
    return new StoredSubscription(readString(in), in.readByte(), in.readBoolean(), in.readBoolean(), in.readByte(),
        in.readInt());
  }

  static void writeDelivery(DataOutputStream out, StoredDelivery d) throws IOException {
    out.writeLong(d.deliveryId());
    writeMessage(out, d.message());
    out.writeByte(d.qos());
    out.writeBoolean(d.retain());
    int[] ids = d.subscriptionIds() == null ? new int[0] : d.subscriptionIds();
    out.writeInt(ids.length);
    for (int id : ids) {
      out.writeInt(id);
    }
    out.writeInt(d.packetId());
    out.writeBoolean(d.released());
  }

  static StoredDelivery readDelivery(DataInputStream in) throws IOException {
    long deliveryId = in.readLong();
    Message message = readMessage(in);
    int qos = in.readByte();
    boolean retain = in.readBoolean();
    int count = in.readInt();
    if (count < 0 || count > 65535) {
      throw new IOException("subscription id count " + count + " is out of range");
    }
    int[] ids = new int[count];
    for (int i = 0; i < count; i++) {
      ids[i] = in.readInt();
    }
    return new StoredDelivery(deliveryId, message, qos, retain, ids, in.readInt(), in.readBoolean());
  }
}
