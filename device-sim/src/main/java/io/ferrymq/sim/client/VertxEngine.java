package io.ferrymq.sim.client;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.TimeUnit;

/**
 * Vert.x MQTT clients sharing one Vert.x instance, so thousands of devices need no thread each. The Vert.x
 * 5.0 client speaks MQTT 3.1.1 only and cannot close a socket without DISCONNECT.
 */
final class VertxEngine implements ClientEngine {
    private final Vertx vertx;
    private final String host;
    private final int port;

    VertxEngine(String host, int port) {
        this.vertx = Vertx.vertx(new VertxOptions()
                .setEventLoopPoolSize(Math.max(2, Runtime.getRuntime().availableProcessors()))
                // Connect storms of thousands of devices delay event loops briefly; warn only for real stalls.
                .setMaxEventLoopExecuteTime(2)
                .setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS));
        this.host = host;
        this.port = port;
    }

    @Override
    public SimClient create(ClientSettings settings, ClientListener listener) {
        return new VertxClient(vertx, host, port, settings, listener);
    }

    @Override
    public boolean supportsDrop() {
        return false;
    }

    @Override
    public void close() {
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Closing is best effort at the end of a run; open sockets die with the process.
        }
    }
}
