package io.ferrymq.spi;

import java.util.concurrent.CompletionStage;

/**
 * A link of the inbound publish chain. Each interceptor may pass a publish on, drop it with a
 * reason, change it, or delay it (by completing the stage later, as a throttle does).
 *
 * <p>Threading: called on the publisher's event loop; never block it. The broker keeps the order
 * of one client's publishes: the next one enters the chain only after this stage completes.
 */
public interface PublishInterceptor {

  /**
   * Inspects one inbound publish.
   *
   * @param publish the publish with its sender and packet details
   * @return the verdict; a failed stage drops the publish with {@link DropReason#INTERCEPTOR_FAILED}
   */
  CompletionStage<InterceptResult> onPublish(InboundPublish publish);
}
