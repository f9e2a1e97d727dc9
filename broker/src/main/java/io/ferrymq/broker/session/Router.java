package io.ferrymq.broker.session;

import io.ferrymq.broker.retained.RetainedMessages;
import io.ferrymq.broker.routing.SharedGroup;
import io.ferrymq.broker.routing.Subscriber;
import io.ferrymq.broker.routing.Subscription;
import io.ferrymq.broker.routing.TopicTree;
import io.ferrymq.spi.BrokerObserver;
import io.ferrymq.spi.DropReason;
import io.ferrymq.spi.Message;
import java.util.HashMap;
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
   * Updates the retained store when the RETAIN flag is set, then delivers the message.
   *
   * @return how many sessions the message was handed to
   */
  public int route(Message message) {
    if (message.retain()) {
      retained.update(message);
    }
    Matches matches = new Matches(message);
    tree.match(message.topic(), matches);
    int count = matches.deliver();
    if (count == 0) {
      observer.onDrop(message, null, DropReason.NO_SUBSCRIBERS);
    }
    return count;
  }

  /** Gathers the matches of one message; one instance per publish, used on one thread. */
  private static final class Matches implements TopicTree.MatchVisitor {
    private final Message message;
    private Subscriber single;
    private Aggregate singleAggregate;
    private Map<Subscriber, Aggregate> many;
    private int sharedCount;

    Matches(Message message) {
      this.message = message;
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
      ((Session) member.subscriber()).deliver(
          new OutboundMessage(message, Math.min(message.qos(), member.qos()), retainFlag, ids, group));
      sharedCount++;
    }

    int deliver() {
      if (many != null) {
        for (Map.Entry<Subscriber, Aggregate> e : many.entrySet()) {
          ((Session) e.getKey()).deliver(e.getValue().toOutbound(message));
        }
        return many.size() + sharedCount;
      }
      if (single != null) {
        ((Session) single).deliver(singleAggregate.toOutbound(message));
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
