package io.ferrymq.broker.session;

import io.ferrymq.broker.retained.RetainedMessages;
import io.ferrymq.broker.routing.SharedGroup;
import io.ferrymq.broker.routing.Subscriber;
import io.ferrymq.broker.routing.Subscription;
import io.ferrymq.broker.routing.TopicTree;
import io.ferrymq.spi.BrokerObserver;
import io.ferrymq.spi.DropReason;
import io.ferrymq.spi.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.Map;

/**
 * Routes a published message to every matching session, on the publisher's event loop.
 *
 * <p>A session with several matching subscriptions gets one copy, at the highest granted QoS,
 * carrying every matching Subscription Identifier (MQTT 5.0, 3.3.4). Each matching shared group
 * gives one copy to one of its members.
 */
public final class Router {

  private final TopicTree tree;
  private final RetainedMessages retained;
  private final BrokerObserver observer;

  public Router(TopicTree tree, RetainedMessages retained, BrokerObserver observer) {
    this.tree = tree;
    this.retained = retained;
    this.observer = observer;
  }

  /**
   * What routing did with one message.
   *
   * @param receivers how many sessions the message was handed to
   * @param durable completes when every store that took the message has committed it, or
   *     {@code null} when no store took it; the publisher's acknowledgement waits for it
   */
  public record Result(int receivers, CompletableFuture<Void> durable) {
  }

  /** Updates the retained store when the RETAIN flag is set, then delivers the message. */
  public Result route(Message message) {
    Matches matches = new Matches(message);
    if (message.retain()) {
      matches.waitFor(retained.update(message));
    }
    tree.match(message.topic(), matches);
    int count = matches.deliver();
    if (count == 0) {
      observer.onDrop(message, null, DropReason.NO_SUBSCRIBERS);
    }
    return new Result(count, matches.durable());
  }

  /** Gathers the matches of one message; one instance per publish, used on one thread. */
  private static final class Matches implements TopicTree.MatchVisitor {
    private final Message message;
    private Subscriber single;
    private Aggregate singleAggregate;
    private Map<Subscriber, Aggregate> many;
    private int sharedCount;
    private List<CompletableFuture<Void>> stages;

    Matches(Message message) {
      this.message = message;
    }

    void waitFor(CompletionStage<Void> stage) {
      if (stage == null) {
        return;
      }
      if (stages == null) {
        stages = new ArrayList<>(2);
      }
      stages.add(stage.toCompletableFuture());
    }

    CompletableFuture<Void> durable() {
      if (stages == null) {
        return null;
      }
      return stages.size() == 1 ? stages.get(0) : CompletableFuture.allOf(stages.toArray(new CompletableFuture<?>[0]));
    }

    @Override
    public void onSubscription(Subscription s) {
      if (s.noLocal() && s.subscriber().clientId().equals(message.publisherId())) {
        return;
      }
      if (single == null) {
        single = s.subscriber();
        singleAggregate = new Aggregate(s);
        return;
      }
      if (single == s.subscriber() && many == null) {
        singleAggregate.add(s);
        return;
      }
      if (many == null) {
        many = new HashMap<>();
        many.put(single, singleAggregate);
      }
      Aggregate a = many.get(s.subscriber());
      if (a == null) {
        many.put(s.subscriber(), new Aggregate(s));
      } else {
        a.add(s);
      }
    }

    @Override
    public void onSharedGroup(SharedGroup group) {
      Subscription member = group.pick(null);
      if (member == null) {
        return;
      }
      int[] ids = member.subscriptionId() == 0 ? OutboundMessage.NO_IDS : new int[] {member.subscriptionId()};
      boolean retainFlag = member.retainAsPublished() && message.retain();
      waitFor(((Session) member.subscriber()).deliver(
          new OutboundMessage(message, Math.min(message.qos(), member.qos()), retainFlag, ids, group)));
      sharedCount++;
    }

    int deliver() {
      if (many != null) {
        for (Map.Entry<Subscriber, Aggregate> e : many.entrySet()) {
          waitFor(((Session) e.getKey()).deliver(e.getValue().toOutbound(message)));
        }
        return many.size() + sharedCount;
      }
      if (single != null) {
        waitFor(((Session) single).deliver(singleAggregate.toOutbound(message)));
        return 1 + sharedCount;
      }
      return sharedCount;
    }
  }

  /** The combined options of one session's matching subscriptions. */
  private static final class Aggregate {
    private int qos;
    private boolean retainAsPublished;
    private int[] ids = OutboundMessage.NO_IDS;

    Aggregate(Subscription s) {
      add(s);
    }

    void add(Subscription s) {
      qos = Math.max(qos, s.qos());
      retainAsPublished |= s.retainAsPublished();
      if (s.subscriptionId() != 0) {
        int[] grown = java.util.Arrays.copyOf(ids, ids.length + 1);
        grown[ids.length] = s.subscriptionId();
        ids = grown;
      }
    }

    OutboundMessage toOutbound(Message m) {
      return new OutboundMessage(m, Math.min(m.qos(), qos), retainAsPublished && m.retain(), ids, null);
    }
  }
}
