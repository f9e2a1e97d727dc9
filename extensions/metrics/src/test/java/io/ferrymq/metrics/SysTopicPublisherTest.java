package io.ferrymq.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrymq.spi.BrokerStats;
import io.ferrymq.spi.Message;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SysTopicPublisherTest {

  /** Totals a test sets by hand. */
  private static final class FixedStats implements BrokerStats {
    volatile int connected;
    volatile int sessions;

    @Override
    public int connectedClients() {
      return connected;
    }

    @Override
    public int sessions() {
      return sessions;
    }

    @Override
    public long subscriptions() {
      return 0;
    }

    @Override
    public int retainedMessages() {
      return 0;
    }

    @Override
    public long queuedMessages() {
      return 0;
    }

    @Override
    public long inflightMessages() {
      return 0;
    }
  }

  @Test
  void laterSummariesPublishOnlyChanges() {
    List<Message> published = new ArrayList<>();
    FixedStats stats = new FixedStats();
    SysTopicPublisher publisher = new SysTopicPublisher(published::add, stats,
        new BrokerMetrics(new PrometheusRegistry()), "1.2.3");

    publisher.publishSummary();
    int first = published.size();
    published.clear();
    stats.connected = 1;
    stats.sessions = 1;
    publisher.publishSummary();

    assertThat(first).as("topics of the first summary").isEqualTo(27);
    // Uptime counts whole seconds, so it too may have changed between the two summaries.
    assertThat(published).extracting(Message::topic).filteredOn(t -> !t.equals("$SYS/broker/uptime"))
        .containsExactlyInAnyOrder("$SYS/broker/clients/connected", "$SYS/broker/clients/total");
    assertThat(published).allSatisfy(m -> assertThat(m.retain()).isTrue());
  }

  @Test
  void failedPublishIsRetriedNextSummary() {
    List<String> published = new ArrayList<>();
    boolean[] failing = {true};
    SysTopicPublisher publisher = new SysTopicPublisher(m -> {
      if (failing[0] && m.topic().equals("$SYS/broker/version")) {
        throw new IllegalStateException("broker stopping");
      }
      published.add(m.topic());
    }, new FixedStats(), new BrokerMetrics(new PrometheusRegistry()), "1.2.3");

    assertThatThrownBy(publisher::publishSummary).isInstanceOf(IllegalStateException.class);
    failing[0] = false;
    publisher.publishSummary();

    assertThat(published).contains("$SYS/broker/version");
  }
}
