package io.ferrymq.broker.routing;

/** Whatever a subscription delivers to; the broker's sessions implement it. */
public interface Subscriber {

  String clientId();

  /** Whether the subscriber has a live connection now; shared groups prefer online members. */
  boolean isOnline();
}
