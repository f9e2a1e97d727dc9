package io.ferrymq.dedup;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A bare MQTT 3.1.1 client over a socket that writes exact packets, so a test can resend a PUBLISH
 * with DUP=1 after cutting the connection before reading the PUBACK, as a device that lost its link
 * does. Reads only the packets a test requests.
 */
final class RawMqtt3Client implements AutoCloseable {

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private RawMqtt3Client(Socket socket) throws IOException {
    this.socket = socket;
    this.socket.setSoTimeout(10_000);
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Connects with Clean Session 0 and returns once the CONNACK reports success. */
  static RawMqtt3Client connect(int port, String clientId) throws IOException {
    RawMqtt3Client c = new RawMqtt3Client(new Socket("127.0.0.1", port));
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    writeString(body, "MQTT");
    body.write(4);
    body.write(0x00);
    body.write(0);
    body.write(60);
    writeString(body, clientId);
    c.send(0x10, body.toByteArray());
    int type = c.in.readUnsignedByte();
    int length = c.in.readUnsignedByte();
    byte[] rest = c.in.readNBytes(length);
    if (type != 0x20 || rest.length != 2 || rest[1] != 0) {
      throw new IOException("CONNACK expected with return code 0, got type " + type + " body " + java.util.Arrays.toString(rest));
    }
    return c;
  }

  /** Sends a QoS 1 PUBLISH with the given packet id and DUP flag. */
  void publishQos1(String topic, int packetId, boolean dup, String payload) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    writeString(body, topic);
    body.write(packetId >> 8);
    body.write(packetId & 0xFF);
    body.writeBytes(payload.getBytes(StandardCharsets.UTF_8));
    send(0x32 | (dup ? 0x08 : 0), body.toByteArray());
  }

  /** Reads the next packet and returns the packet id of the PUBACK it must be. */
  int readPuback() throws IOException {
    int type = in.readUnsignedByte();
    int length = in.readUnsignedByte();
    byte[] rest = in.readNBytes(length);
    if (type != 0x40 || rest.length != 2) {
      throw new IOException("PUBACK expected, got type " + type);
    }
    return ((rest[0] & 0xFF) << 8) | (rest[1] & 0xFF);
  }

  private void send(int header, byte[] body) throws IOException {
    ByteArrayOutputStream packet = new ByteArrayOutputStream();
    packet.write(header);
    int length = body.length;
    do {
      int digit = length % 128;
      length /= 128;
      packet.write(length > 0 ? digit | 0x80 : digit);
    } while (length > 0);
    packet.writeBytes(body);
    out.write(packet.toByteArray());
    out.flush();
  }

  private static void writeString(ByteArrayOutputStream out, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    out.write(bytes.length >> 8);
    out.write(bytes.length & 0xFF);
    out.writeBytes(bytes);
  }

  /** Closes the socket without DISCONNECT, as a lost link does. */
  @Override
  public void close() throws IOException {
    socket.close();
  }
}
