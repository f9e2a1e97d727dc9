package io.ferrymq.spi;

import java.util.concurrent.CompletionStage;

/**
 * Decides whether a client may connect.
 *
 * <p>Threading: called on the connection's event loop; never block it. The broker answers the
 * client after the returned stage completes; a stage that fails or does not complete within the
 * broker's connect timeout rejects the client with {@link ReasonCode#UNSPECIFIED_ERROR}.
 */
public interface Authenticator {

  CompletionStage<ReasonCode> authenticate(ConnectInfo connect);
}
