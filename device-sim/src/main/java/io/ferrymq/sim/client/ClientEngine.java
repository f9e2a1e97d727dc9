package io.ferrymq.sim.client;

import io.ferrymq.sim.config.Engine;

/** Creates clients of one library for one broker address. */
public interface ClientEngine extends AutoCloseable {

    SimClient create(ClientSettings settings, ClientListener listener);

    /** Whether {@link SimClient#drop()} works for clients of this engine. */
    boolean supportsDrop();

    @Override
    void close();

    static ClientEngine create(Engine engine, String host, int port) {
        return switch (engine) {
            case PAHO -> new PahoEngine(host, port);
            case VERTX -> new VertxEngine(host, port);
        };
    }
}
