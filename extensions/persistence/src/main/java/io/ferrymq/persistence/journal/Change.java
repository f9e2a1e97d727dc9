package io.ferrymq.persistence.journal;

import static io.ferrymq.persistence.journal.RecordCodec.readDelivery;
import static io.ferrymq.persistence.journal.RecordCodec.readMessage;
import static io.ferrymq.persistence.journal.RecordCodec.readString;
import static io.ferrymq.persistence.journal.RecordCodec.readSubscription;
import static io.ferrymq.persistence.journal.RecordCodec.writeDelivery;
import static io.ferrymq.persistence.journal.RecordCodec.writeMessage;
import static io.ferrymq.persistence.journal.RecordCodec.writeString;
import static io.ferrymq.persistence.journal.RecordCodec.writeSubscription;

import io.ferrymq.persistence.state.StoreImage;
import io.ferrymq.spi.Message;
import io.ferrymq.spi.storage.StoredDelivery;
import io.ferrymq.spi.storage.StoredSubscription;
import io.ferrymq.spi.storage.StoredWill;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * One change of durable state, as the journal records it. Each type has a fixed number that is part
 * of the stored format: never renumber one.
 */
public sealed interface Change {

  /** The stored type number. */
  int type();

  void writeFields(DataOutputStream out) throws IOException;

  /** Applies this change to {@code image}; a change about a session or delivery that is gone does nothing. */
  void applyTo(StoreImage image);

  /** The client id this change is about, or {@code null} for retained messages. */
  String clientId();

  static Change read(int type, DataInputStream in) throws IOException {
    return switch (type) {
      case 1 -> new SaveSession(readString(in), in.readLong());
      case 2 -> new RemoveSession(readString(in));
      case 3 -> new SaveSubscription(readString(in), readSubscription(in));
      case 4 -> new RemoveSubscription(readString(in), readString(in));
      case 5 -> new Enqueue(readString(in), readDelivery(in));
      case 6 -> new MarkSent(readString(in), in.readLong(), in.readInt());
      case 7 -> new MarkReleased(readString(in), in.readLong());
      case 8 -> new RemoveDelivery(readString(in), in.readLong());
      case 9 -> new AddInboundQos2(readString(in), in.readInt());
      case 10 -> new RemoveInboundQos2(readString(in), in.readInt());
      case 11 -> new PutRetained(readMessage(in));
      case 12 -> new RemoveRetained(readString(in));
      case 13 -> new MarkOffline(readString(in), in.readLong());
      case 14 -> new SaveWill(readString(in), new StoredWill(readMessage(in), in.readLong()));
      case 15 -> new RemoveWill(readString(in));
      default -> throw new IOException("unknown change type " + type);
    };
  }

  record SaveSession(String clientId, long expirySeconds) implements Change {
    public int type() {
      return 1;
    }

    public void writeFields(DataOutputStream out) throws IOException {
      writeString(out, clientId);
      out.writeLong(expirySeconds);
    }

    public void applyTo(StoreImage image) {
      image.saveSession(clientId, expirySeconds);
    }
  }

  record RemoveSession(String clientId) implements Change {
    public int type() {
      return 2;
    }

    public void writeFields(DataOutputStream out) throws IOException {
      writeString(out, clientId);
    }

    public void applyTo(StoreImage image) {
      image.removeSession(clientId);
    }
  }

  record SaveSubscription(String clientId, StoredSubscription subscription) implements Change {
    public int type() {
      return 3;
    }

    public void writeFields(DataOutputStream out) throws IOException {
      writeString(out, clientId);
      writeSubscription(out, subscription);
    }

    public void applyTo(StoreImage image) {
      image.saveSubscription(clientId, subscription);
    }
  }

  record RemoveSubscription(String clientId, String fullFilter) implements Change {
    public int type() {
      return 4;
    }

    public void writeFields(DataOutputStream out) throws IOException {
      writeString(out, clientId);
      writeString(out, fullFilter);
    }

    public void applyTo(StoreImage image) {
      image.removeSubscription(clientId, fullFilter);
    }
  }

  /** A queued message, or in a checkpoint a message in any phase: the delivery carries its packet id and phase. */
  record Enqueue(String clientId, StoredDelivery delivery) implements Change {
    public int type() {
      return 5;
    }

    public void writeFields(DataOutputStream out) throws IOException {
      writeString(out, clientId);
      writeDelivery(out, delivery);
    }

    public void applyTo(StoreImage image) {
      image.enqueue(clientId, delivery);
    }
  }

  record MarkSent(String clientId, long deliveryId, int packetId) implements Change {
    public int type() {
      return 6;
    }

    public void writeFields(DataOutputStream out) throws IOException {
      writeString(out, clientId);
      out.writeLong(deliveryId);
      out.writeInt(packetId);
    }

    public void applyTo(StoreImage image) {
      image.updateDelivery(clientId, deliveryId, d -> d.withSent(packetId));
    }
  }

  record MarkReleased(String clientId, long deliveryId) implements Change {
    public int type() {
      return 7;
    }

    public void writeFields(DataOutputStream out) throws IOException {
      writeString(out, clientId);
      out.writeLong(deliveryId);
    }

    public void applyTo(StoreImage image) {
      image.updateDelivery(clientId, deliveryId, StoredDelivery::withReleased);
    }
  }

  record RemoveDelivery(String clientId, long deliveryId) implements Change {
    public int type() {
      return 8;
    }

    public void writeFields(DataOutputStream out) throws IOException {
      writeString(out, clientId);
      out.writeLong(deliveryId);
    }

    public void applyTo(StoreImage image) {
      image.removeDelivery(clientId, deliveryId);
    }
  }

  record AddInboundQos2(String clientId, int packetId) implements Change {
    public int type() {
      return 9;
    }

    public void writeFields(DataOutputStream out) throws IOException {
      writeString(out, clientId);
      out.writeInt(packetId);
    }

    public void applyTo(StoreImage image) {
      image.addInboundQos2(clientId, packetId);
    }
  }

  record RemoveInboundQos2(String clientId, int packetId) implements Change {
    public int type() {
      return 10;
    }

    public void writeFields(DataOutputStream out) throws IOException {
      writeString(out, clientId);
      out.writeInt(packetId);
    }

    public void applyTo(StoreImage image) {
      image.removeInboundQos2(clientId, packetId);
    }
  }

  record PutRetained(Message message) implements Change {
    public int type() {
      return 11;
    }

    public String clientId() {
      return null;
    }

    public void writeFields(DataOutputStream out) throws IOException {
      writeMessage(out, message);
    }

    public void applyTo(StoreImage image) {
      image.putRetained(message);
    }
  }

  record RemoveRetained(String topic) implements Change {
    public int type() {
      return 12;
    }

    public String clientId() {
      return null;
    }

    public void writeFields(DataOutputStream out) throws IOException {
      writeString(out, topic);
    }

    public void applyTo(StoreImage image) {
      image.removeRetained(topic);
    }
  }

  /** When the session's connection ended, in epoch milliseconds; 0 records that a client connected. */
  record MarkOffline(String clientId, long sinceMillis) implements Change {
    public int type() {
      return 13;
    }

    public void writeFields(DataOutputStream out) throws IOException {
      writeString(out, clientId);
      out.writeLong(sinceMillis);
    }

    public void applyTo(StoreImage image) {
      image.markOffline(clientId, sinceMillis);
    }
  }

  record SaveWill(String clientId, StoredWill will) implements Change {
    public int type() {
      return 14;
    }

    public void writeFields(DataOutputStream out) throws IOException {
      writeString(out, clientId);
      writeMessage(out, will.message());
      out.writeLong(will.dueAtMillis());
    }

    public void applyTo(StoreImage image) {
      image.saveWill(clientId, will);
    }
  }

  record RemoveWill(String clientId) implements Change {
    public int type() {
      return 15;
    }

    public void writeFields(DataOutputStream out) throws IOException {
      writeString(out, clientId);
    }

    public void applyTo(StoreImage image) {
      image.saveWill(clientId, null);
    }
  }
}
