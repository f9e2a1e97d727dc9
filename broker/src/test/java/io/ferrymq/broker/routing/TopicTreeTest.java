package io.ferrymq.broker.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(10)
class TopicTreeTest {

  record Named(String clientId) implements Subscriber {
    @Override
    public boolean isOnline() {
      return true;
    }
  }

  private static Subscription sub(Subscriber s, String filter) {
    return new Subscription(s, filter, null, 1, false, false, 0, 0);
  }

  private static List<String> matchingFilters(TopicTree tree, String topic) {
    List<String> out = new ArrayList<>();
    tree.match(topic, new TopicTree.MatchVisitor() {
      @Override
      public void onSubscription(Subscription subscription) {
        out.add(subscription.filter());
      }

      @Override
      public void onSharedGroup(SharedGroup group) {
        out.add("$share/" + group.shareName() + "/" + group.filter());
      }
    });
    return out;
  }

  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource({
      "sport/tennis/player1/#, sport/tennis/player1, true",
      "sport/tennis/player1/#, sport/tennis/player1/ranking, true",
      "sport/tennis/player1/#, sport/tennis/player1/score/wimbledon, true",
      "sport/#, sport, true",
      "#, sport/tennis, true",
      "sport/tennis/+, sport/tennis/player1, true",
      "sport/tennis/+, sport/tennis/player1/tournament, false",
      "sport/+, sport, false",
      "sport/+, sport/, true",
      "+/+, /finance, true",
      "/+, /finance, true",
      "+, /finance, false",
      "#, $SYS/broker/uptime, false",
      "+/broker/uptime, $SYS/broker/uptime, false",
      "$SYS/#, $SYS/broker/uptime, true",
      "$SYS/+/uptime, $SYS/broker/uptime, true",
      "a/b, a/b/c, false",
      "a/b/c, a/b, false",
      "a//c, a//c, true",
      "a/+/c, a//c, true",
  })
  void treeAndMatcherAgreeWithSpecExamples(String filter, String topic, boolean expected) {
    TopicTree tree = new TopicTree();
    tree.subscribe(sub(new Named("c"), filter));
    assertThat(matchingFilters(tree, topic).contains(filter)).isEqualTo(expected);
    assertThat(Topics.matches(filter, topic)).isEqualTo(expected);
  }

  @Test
  void resubscribeReplacesInsteadOfAdding() {
    TopicTree tree = new TopicTree();
    Named c = new Named("c");
    assertThat(tree.subscribe(sub(c, "a/+"))).isNull();
    assertThat(tree.subscribe(sub(c, "a/+"))).isNotNull();
    assertThat(matchingFilters(tree, "a/b")).containsExactly("a/+");
  }

  @Test
  void unsubscribePrunesAndStopsMatching() {
    TopicTree tree = new TopicTree();
    Named c = new Named("c");
    tree.subscribe(sub(c, "a/b/c/d"));
    assertThat(tree.unsubscribe(c, "a/b/c/d", null)).isTrue();
    assertThat(tree.unsubscribe(c, "a/b/c/d", null)).isFalse();
    assertThat(matchingFilters(tree, "a/b/c/d")).isEmpty();
  }

  @Test
  void overlappingFiltersAllReported() {
    TopicTree tree = new TopicTree();
    Named c = new Named("c");
    tree.subscribe(sub(c, "a/#"));
    tree.subscribe(sub(c, "a/+"));
    tree.subscribe(sub(c, "a/b"));
    assertThat(matchingFilters(tree, "a/b")).containsExactlyInAnyOrder("a/#", "a/+", "a/b");
  }

  @Test
  void sharedGroupRoundRobinsOverOnlineMembers() {
    TopicTree tree = new TopicTree();
    Named a = new Named("a");
    Named b = new Named("b");
    tree.subscribe(new Subscription(a, "jobs/+", "workers", 1, false, false, 0, 0));
    tree.subscribe(new Subscription(b, "jobs/+", "workers", 1, false, false, 0, 0));
    SharedGroup group = tree.sharedGroup("workers", "jobs/+");
    List<String> picks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      picks.add(group.pick(null).subscriber().clientId());
    }
    assertThat(picks).containsExactlyInAnyOrder("a", "b", "a", "b");
    assertThat(group.pick(a).subscriber().clientId()).isEqualTo("b");
  }

  @ParameterizedTest(name = "filter {0} valid: {1}")
  @CsvSource({
      "sport/tennis/#, true",
      "sport/tennis#, false",
      "sport/tennis/#/ranking, false",
      "+, true",
      "+/tennis/#, true",
      "sport+, false",
      "sport/+/player1, true",
      "#, true",
      "'', false",
  })
  void filterValidation(String filter, boolean valid) {
    assertThat(Topics.isValidTopicFilter(filter)).isEqualTo(valid);
  }

  @Test
  void topicNamesRejectWildcards() {
    assertThat(Topics.isValidTopicName("a/b")).isTrue();
    assertThat(Topics.isValidTopicName("a/+")).isFalse();
    assertThat(Topics.isValidTopicName("a/#")).isFalse();
    assertThat(Topics.isValidTopicName("")).isFalse();
  }

  @Test
  void sharedFilterParsing() {
    Topics.SharedFilter parsed = Topics.parseShared("$share/g1/a/+/c");
    assertThat(parsed.shareName()).isEqualTo("g1");
    assertThat(parsed.filter()).isEqualTo("a/+/c");
    assertThat(Topics.parseShared("a/b")).isNull();
  }
}
