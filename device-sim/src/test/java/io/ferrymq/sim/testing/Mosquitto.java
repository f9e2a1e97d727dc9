package io.ferrymq.sim.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A mosquitto broker on a free loopback port, configured in a temporary folder and stopped by its pid. */
public final class Mosquitto implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/sbin/mosquitto");

    private final Process process;
    private final int port;

    private Mosquitto(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static Mosquitto start(Path dir) throws IOException {
        int port = freePort();
        Path config = dir.resolve("mosquitto.conf");
        // Unlimited queues, so a slow subscriber's backlog is never dropped; TCP_NODELAY, so Nagle's algorithm
        // does not add delayed-ACK time to the measured latency.
        // The largest in-flight window, because with a full window mosquitto 2.0.11 can send queued QoS 1 and 2
        // messages out of order when a stream mixes both levels. Its log then shows a higher packet id sent
        // first. A slow subscriber fills the default window of 20 on a loaded machine. An unlimited window (0)
        // is no cure, because mosquitto 2.0.11 then disconnects a persistent MQTT 5 device with a protocol error
        // when it reconnects while a QoS 2 flow is still open.
        Files.writeString(config, String.join("\n",
                "listener " + port + " 127.0.0.1",
                "allow_anonymous true",
                "persistence false",
                "max_queued_messages 0",
                "max_inflight_messages 65535",
                "set_tcp_nodelay true",
                ""));
        Process process = new ProcessBuilder(BINARY.toString(), "-c", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile())
                .start();
        Mosquitto broker = new Mosquitto(process, port);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(broker::accepts);
        return broker;
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroy);
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
