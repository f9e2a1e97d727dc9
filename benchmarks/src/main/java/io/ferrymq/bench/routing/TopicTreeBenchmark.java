package io.ferrymq.bench.routing;

import io.ferrymq.broker.routing.SharedGroup;
import io.ferrymq.broker.routing.Subscriber;
import io.ferrymq.broker.routing.Subscription;
import io.ferrymq.broker.routing.TopicTree;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Topic matching and subscribe cost of {@link TopicTree} holding {@code subscriptions} subscriptions
 * of the {@link FleetTopics} mix, one subscriber each.
 *
 * <p>{@code match} matches one published topic name, drawn in turn from a fixed random sample of the
 * fleet's topics, and visits every matching subscription. {@code subscribeAndUnsubscribe} adds one new
 * exact subscription to the full tree and removes it again, so the tree keeps its size. Each has a
 * {@code ...Time} twin that measures the same operation as average time in nanoseconds. {@code
 * buildTree} measures filling an empty tree with all the subscriptions: divide its time by {@code
 * subscriptions} for the cost of one subscribe while the tree grows.
 */
@State(Scope.Thread)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TopicTreeBenchmark {

  /** A power of two, so the next sample index is a mask and not a division. */
  private static final int SAMPLE_SIZE = 1 << 14;

  @Param("100000")
  public int subscriptions;

  private Subscription[] mix;
  private TopicTree tree;
  private String[] topics;
  private int nextTopic;
  private Subscription probe;
  private final CountingVisitor visitor = new CountingVisitor();

  @Setup(Level.Trial)
  public void fillTree() {
    FleetTopics fleet = FleetTopics.standard();
    List<String> filters = fleet.randomFilters(subscriptions, 1L);
    mix = new Subscription[subscriptions];
    for (int i = 0; i < subscriptions; i++) {
      mix[i] = subscription(new BenchSubscriber("client-" + i), filters.get(i));
    }
    tree = filled(mix);
    topics = fleet.randomTopics(SAMPLE_SIZE, 2L);
    probe = subscription(new BenchSubscriber("probe"), "fleet/region-0/site-0/dev-0/probe");
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  public int match() {
    return matchNext();
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public int matchTime() {
    return matchNext();
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  public boolean subscribeAndUnsubscribe() {
    return subscribeProbe();
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public boolean subscribeAndUnsubscribeTime() {
    return subscribeProbe();
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public void buildTree(Blackhole blackhole) {
    blackhole.consume(filled(mix));
  }

  private int matchNext() {
    String topic = topics[nextTopic++ & (SAMPLE_SIZE - 1)];
    visitor.matches = 0;
    tree.match(topic, visitor);
    return visitor.matches;
  }

  private boolean subscribeProbe() {
    tree.subscribe(probe);
    return tree.unsubscribe(probe.subscriber(), probe.filter(), null);
  }

  private static TopicTree filled(Subscription[] subscriptions) {
    TopicTree tree = new TopicTree();
    for (Subscription subscription : subscriptions) {
      tree.subscribe(subscription);
    }
    return tree;
  }

  private static Subscription subscription(Subscriber subscriber, String filter) {
    return new Subscription(subscriber, filter, null, 1, false, false, 0, 0);
  }

  /** A subscriber that is always online and receives nothing: matching only reads its identity. */
  record BenchSubscriber(String clientId) implements Subscriber {
    @Override
    public boolean isOnline() {
      return true;
    }
  }

  /** Counts matches, so the JIT cannot drop the traversal and the count reaches the blackhole. */
  static final class CountingVisitor implements TopicTree.MatchVisitor {
    int matches;

    @Override
    public void onSubscription(Subscription subscription) {
      matches++;
    }

    @Override
    public void onSharedGroup(SharedGroup group) {
      matches++;
    }
  }
}
