package io.ferrymq.sim.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP proxy between clients and a broker that misbehaves on purpose in the broker-to-client direction, on
 * PUBLISH packets whose topic ends with {@code /telemetry}: it drops the Nth QoS 1 packet, repeats the Nth
 * QoS 0 packet, and swaps the Nth QoS 0 packet with the one after it. Counts run across all connections.
 */
public final class FaultyProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int brokerPort;
    private final int dropQos1;
    private final int repeatQos0;
    private final int swapQos0;
    private final List<Socket> sockets = new ArrayList<>();
    private int qos0Seen;
    private int qos1Seen;
    private byte[] heldPacket;

    public FaultyProxy(int brokerPort, int dropQos1, int repeatQos0, int swapQos0) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.brokerPort = brokerPort;
        this.dropQos1 = dropQos1;
        this.repeatQos0 = repeatQos0;
        this.swapQos0 = swapQos0;
        Thread acceptor = new Thread(this::acceptLoop, "proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                client.setTcpNoDelay(true);
                Socket broker = new Socket(InetAddress.getLoopbackAddress(), brokerPort);
                broker.setTcpNoDelay(true);
                synchronized (sockets) {
                    sockets.add(client);
                    sockets.add(broker);
                }
                start(() -> copy(client, broker));
                start(() -> filter(broker, client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void start(Runnable task) {
        Thread thread = new Thread(task, "proxy-pipe");
        thread.setDaemon(true);
        thread.start();
    }

    private static void copy(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // One side closed; closing both ends the other pipe too.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void filter(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            while (true) {
                byte[] packet = readPacket(in);
                for (byte[] forward : decide(packet)) {
                    out.write(forward);
                }
                out.flush();
            }
        } catch (IOException e) {
            // One side closed; closing both ends the other pipe too.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** Returns the packets to forward in place of this one. */
    private synchronized List<byte[]> decide(byte[] packet) {
        int type = (packet[0] & 0xF0) >> 4;
        if (type != 3 || !topic(packet).endsWith("/telemetry")) {
            return List.of(packet);
        }
        int qos = (packet[0] >> 1) & 0x03;
        if (qos == 1 && ++qos1Seen == dropQos1) {
            return List.of();
        }
        if (qos != 0) {
            return List.of(packet);
        }
        qos0Seen++;
        if (qos0Seen == repeatQos0) {
            return List.of(packet, packet);
        }
        if (qos0Seen == swapQos0) {
            heldPacket = packet;
            return List.of();
        }
        if (heldPacket != null) {
            byte[] earlier = heldPacket;
            heldPacket = null;
            return List.of(packet, earlier);
        }
        return List.of(packet);
    }

    private static String topic(byte[] packet) {
        int offset = 1;
        while ((packet[offset] & 0x80) != 0) {
            offset++;
        }
        offset++;
        int length = ((packet[offset] & 0xFF) << 8) | (packet[offset + 1] & 0xFF);
        return new String(packet, offset + 2, length, StandardCharsets.UTF_8);
    }

    private static byte[] readPacket(InputStream in) throws IOException {
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(readByte(in));
        int remaining = 0;
        int multiplier = 1;
        int digit;
        do {
            digit = readByte(in);
            packet.write(digit);
            remaining += (digit & 0x7F) * multiplier;
            multiplier *= 128;
        } while ((digit & 0x80) != 0);
        packet.write(in.readNBytes(remaining));
        return packet.toByteArray();
    }

    private static int readByte(InputStream in) throws IOException {
        int value = in.read();
        if (value < 0) {
            throw new EOFException();
        }
        return value;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Already closed.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (sockets) {
            sockets.forEach(FaultyProxy::closeQuietly);
        }
    }
}
