package io.ferrymq.broker.testing;

import io.ferrymq.broker.FerryBroker;
import io.ferrymq.broker.config.BrokerConfig;
import java.util.function.UnaryOperator;

/**
 * Starts a broker on a free port with two event loops, so that tests cross loops the way production
 * traffic does. Close it at the end of the test.
 */
public final class TestBroker implements AutoCloseable {

  private final FerryBroker broker;

  private TestBroker(FerryBroker broker) {
    this.broker = broker;
  }

  public static TestBroker start() {
    return start(b -> b);
  }

  /** Starts with the defaults plus whatever {@code settings} changes. */
  public static TestBroker start(UnaryOperator<BrokerConfig.Builder> settings) {
    BrokerConfig.Builder builder = BrokerConfig.builder().port(0).eventLoops(2);
    return new TestBroker(FerryBroker.builder().config(settings.apply(builder).build()).start());
  }

  public static TestBroker start(FerryBroker.Builder configured) {
    return new TestBroker(configured.start());
  }

  public int port() {
    return broker.port();
  }

  public int wsPort() {
    return broker.wsPort();
  }

  public String tcpUri() {
    return "tcp://127.0.0.1:" + broker.port();
  }

  public FerryBroker broker() {
    return broker;
  }

  @Override
  public void close() {
    broker.stop();
  }
}
