package io.ferrymq.dedup;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;

/**
 * 64-bit fingerprints of what identifies a message, from the first 64 bits of Murmur3 x64 128. Each
 * kind starts with its own tag byte and every variable-length field carries its length, so that
 * different kinds and different field splits never hash the same input.
 */
final class Fingerprints {

  private static final HashFunction MURMUR3 = Hashing.murmur3_128();
  private static final byte ID_PROPERTY = 1;
  private static final byte CONTENT = 2;
  private static final byte RESEND = 3;

  private Fingerprints() {
  }

  /** Hashes the id property's value with the topic name, so that two topics may use the same ids. */
  static long ofIdProperty(String topic, String id) {
    Hasher h = MURMUR3.newHasher().putByte(ID_PROPERTY);
    putString(h, topic);
    putString(h, id);
    return h.hash().asLong();
  }

  /** Hashes the publisher's client id, topic name and payload, for publishers that cannot set an id property. */
  static long ofContent(String publisherId, String topic, byte[] payload) {
    Hasher h = MURMUR3.newHasher().putByte(CONTENT);
    putString(h, publisherId);
    putString(h, topic);
    h.putInt(payload.length).putBytes(payload);
    return h.hash().asLong();
  }

  /**
   * Hashes a publish as one packet of one client: client id and packet id, plus topic name and
   * payload, so that a later message which reuses the packet id does not match an earlier one.
   */
  static long ofPacket(String clientId, int packetId, String topic, byte[] payload) {
    Hasher h = MURMUR3.newHasher().putByte(RESEND);
    putString(h, clientId);
    h.putInt(packetId);
    putString(h, topic);
    h.putInt(payload.length).putBytes(payload);
    return h.hash().asLong();
  }

  private static void putString(Hasher h, String value) {
    String s = value == null ? "" : value;
    h.putInt(s.length()).putString(s, StandardCharsets.UTF_8);
  }
}
