package io.ferrymq.bench.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.broker.routing.Subscription;
import io.ferrymq.broker.routing.TopicTree;
import io.ferrymq.broker.routing.Topics;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FleetTopicsTest {

  private final FleetTopics fleet = FleetTopics.standard();

  @Test
  void standardShapeHasHundredThousandTopics() {
    assertThat(fleet.topicCount()).isEqualTo(100_000);
  }

  @Test
  void filtersAreValidAndRepeatable() {
    List<String> filters = fleet.randomFilters(5_000, 7L);

    assertThat(filters).allMatch(Topics::isValidTopicFilter);
    assertThat(filters).isEqualTo(fleet.randomFilters(5_000, 7L));
  }

  @Test
  void filterMixHasEveryKind() {
    List<String> filters = fleet.randomFilters(10_000, 7L);

    assertThat(filters).anyMatch(f -> !Topics.hasWildcard(f));
    assertThat(filters).anyMatch(f -> f.endsWith("/+"));
    assertThat(filters).anyMatch(f -> f.matches("fleet/[^/]+/[^/]+/\\+/[a-z]+"));
    assertThat(filters).anyMatch(f -> f.matches("fleet/[^/]+/[^/]+/#"));
    assertThat(filters).anyMatch(f -> f.matches("fleet/[^/]+/#"));
    assertThat(filters).anyMatch(f -> f.startsWith("fleet/+/+/+/"));
  }

  @Test
  void treeMatchesAgreeWithFilterByFilterCheck() {
    List<String> filters = fleet.randomFilters(20_000, 1L);
    TopicTree tree = new TopicTree();
    for (int i = 0; i < filters.size(); i++) {
      tree.subscribe(new Subscription(new TopicTreeBenchmark.BenchSubscriber("c" + i), filters.get(i),
          null, 1, false, false, 0, 0));
    }

    long totalMatches = 0;
    for (String topic : fleet.randomTopics(200, 2L)) {
      int expected = (int) filters.stream().filter(f -> Topics.matches(f, topic)).count();
      TopicTreeBenchmark.CountingVisitor visitor = new TopicTreeBenchmark.CountingVisitor();
      tree.match(topic, visitor);
      assertThat(visitor.matches).as("matches of %s", topic).isEqualTo(expected);
      totalMatches += expected;
    }
    assertThat(totalMatches).as("a benchmark that matches nothing measures nothing").isPositive();
  }
}
