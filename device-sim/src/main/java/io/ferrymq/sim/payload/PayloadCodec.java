package io.ferrymq.sim.payload;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Binary payload layout, big-endian: magic byte 'F', format version 1, kind, publisher id length (2 bytes)
 * and UTF-8 bytes, sequence number (8), send time in epoch microseconds (8), reference (8), then zero
 * padding up to the requested size.
 */
public final class PayloadCodec {
    private static final byte MAGIC = 'F';
    private static final byte VERSION = 1;
    private static final int FIXED_BYTES = 3 + 2 + 8 + 8 + 8;

    private PayloadCodec() {
    }

    /** Encodes the header and pads it to {@code size} bytes; a smaller size yields the header alone. */
    public static byte[] encode(Payload payload, int size) {
        byte[] publisher = payload.publisherId().getBytes(StandardCharsets.UTF_8);
        int headerBytes = FIXED_BYTES + publisher.length;
        ByteBuffer buffer = ByteBuffer.allocate(Math.max(size, headerBytes));
        buffer.put(MAGIC).put(VERSION).put((byte) payload.kind().ordinal());
        buffer.putShort((short) publisher.length).put(publisher);
        buffer.putLong(payload.seq()).putLong(payload.sentAtMicros()).putLong(payload.ref());
        return buffer.array();
    }

    /** Decodes a payload, or returns empty when the bytes were not written by {@link #encode}. */
    public static Optional<Payload> decode(byte[] bytes) {
        if (bytes.length < FIXED_BYTES || bytes[0] != MAGIC || bytes[1] != VERSION) {
            return Optional.empty();
        }
        int kindIndex = bytes[2];
        if (kindIndex < 0 || kindIndex >= PayloadKind.values().length) {
            return Optional.empty();
        }
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes, 3, bytes.length - 3);
            byte[] publisher = new byte[buffer.getShort() & 0xFFFF];
            buffer.get(publisher);
            long seq = buffer.getLong();
            long sentAtMicros = buffer.getLong();
            long ref = buffer.getLong();
            String publisherId = new String(publisher, StandardCharsets.UTF_8);
            return Optional.of(new Payload(PayloadKind.values()[kindIndex], publisherId, seq, sentAtMicros, ref));
        } catch (BufferUnderflowException e) {
            return Optional.empty();
        }
    }
}
