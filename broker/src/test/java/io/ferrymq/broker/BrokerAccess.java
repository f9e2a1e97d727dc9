package io.ferrymq.broker;

import io.ferrymq.broker.session.SessionRegistry;

/** Gives tests in other packages a look at a running broker's internals. */
public final class BrokerAccess {

  private BrokerAccess() {
  }

  public static SessionRegistry sessions(FerryBroker broker) {
    return broker.core().sessions();
  }

  public static BrokerCore core(FerryBroker broker) {
    return broker.core();
  }
}
