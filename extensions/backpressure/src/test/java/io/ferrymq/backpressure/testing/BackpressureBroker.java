package io.ferrymq.backpressure.testing;

import io.ferrymq.backpressure.BackpressureExtension;
import io.ferrymq.broker.FerryBroker;
import io.ferrymq.broker.config.BrokerConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * A broker on a free port with two event loops, the backpressure extension configured by the test,
 * and a {@link Probe}. Close it at the end of the test.
 */
public final class BackpressureBroker implements AutoCloseable {

  private final FerryBroker broker;
  public final Probe probe;

  private BackpressureBroker(FerryBroker broker, Probe probe) {
    this.broker = broker;
    this.probe = probe;
  }

  /**
   * Starts a broker.
   *
   * @param settings the backpressure section besides {@code enabled}; {@code null} leaves the extension off
   */
  public static BackpressureBroker start(Map<String, Object> settings) {
    return start(settings, BrokerConfig.builder());
  }

  /** Starts with the broker settings of {@code config} plus a free port, two event loops and the probe. */
  public static BackpressureBroker start(Map<String, Object> settings, BrokerConfig.Builder config) {
    Probe probe = new Probe();
    config.port(0).wsPort(-1).eventLoops(2).extension("probe", Map.of("enabled", true));
    FerryBroker.Builder builder = FerryBroker.builder().extension(probe);
    if (settings != null) {
      Map<String, Object> section = new HashMap<>(settings);
      section.put("enabled", true);
      config.extension("backpressure", section);
      builder.extension(new BackpressureExtension());
    }
    return new BackpressureBroker(builder.config(config.build()).start(), probe);
  }

  public int port() {
    return broker.port();
  }

  public String uri() {
    return "tcp://127.0.0.1:" + broker.port();
  }

  @Override
  public void close() {
    broker.stop();
  }
}
