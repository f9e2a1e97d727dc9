package io.ferrymq.sim.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import javax.net.SocketFactory;

/** Plain socket factory that remembers the last socket so that a client can be dropped like a lost device. */
final class DroppableSocketFactory extends SocketFactory {
    private volatile Socket current;

    /**
     * Creates an unconnected socket with TCP_NODELAY, which Paho leaves off: with Nagle's algorithm a small
     * PUBLISH can wait for the previous one's acknowledgement, adding up to 40 ms of delayed-ACK time to
     * measured latency.
     */
    @Override
    public Socket createSocket() throws SocketException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        current = socket;
        return socket;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        Socket socket = createSocket();
        socket.connect(new InetSocketAddress(host, port));
        return socket;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        Socket socket = createSocket();
        socket.bind(new InetSocketAddress(localHost, localPort));
        socket.connect(new InetSocketAddress(host, port));
        return socket;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        Socket socket = createSocket();
        socket.connect(new InetSocketAddress(host, port));
        return socket;
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        Socket socket = createSocket();
        socket.bind(new InetSocketAddress(localAddress, localPort));
        socket.connect(new InetSocketAddress(address, port));
        return socket;
    }

    /** Resets the connection: linger 0 makes close send RST rather than FIN, as a device losing power would. */
    void drop() {
        Socket socket = current;
        if (socket == null) {
            return;
        }
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            // The socket is closed either way; the client reports the lost connection.
        }
    }
}
