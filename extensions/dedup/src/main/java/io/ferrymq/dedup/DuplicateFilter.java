package io.ferrymq.dedup;

import io.ferrymq.dedup.DedupSettings.Mode;
import io.ferrymq.dedup.DedupSettings.Rule;
import io.ferrymq.dedup.store.IdStore;
import io.ferrymq.spi.DropReason;
import io.ferrymq.spi.InboundPublish;
import io.ferrymq.spi.InterceptResult;
import io.ferrymq.spi.Message;
import io.ferrymq.spi.PublishInterceptor;
import io.ferrymq.spi.ReasonCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound publish interceptor that drops duplicates. A publish is a duplicate when
 * <ol>
 *   <li>the rule for its topic identifies it (by id property or by content hash) and that id was let
 *       through less than the rule's window ago, or</li>
 *   <li>it is a QoS 1 or 2 resend (DUP=1) whose client id, packet id, topic name and payload match a
 *       publish let through less than the resend window ago; this is the publisher that lost its
 *       connection before the PUBACK and sends again.</li>
 * </ol>
 * A duplicate is dropped with reason code 0x00 (Success), so the publisher is acknowledged and stops
 * resending; the broker reports it to observers as {@link DropReason#DUPLICATE}.
 *
 * <p>A message that a rule identifies needs no packet record, because its resend carries the same id.
 *
 * <p>Threading: runs on event loops and completes at once; the store synchronizes itself.
 */
final class DuplicateFilter implements PublishInterceptor {

  private static final Logger log = LoggerFactory.getLogger(DuplicateFilter.class);
  private static final CompletionStage<InterceptResult> PASS = CompletableFuture.completedFuture(InterceptResult.pass());
  private static final CompletionStage<InterceptResult> DROP = CompletableFuture.completedFuture(
      InterceptResult.drop(DropReason.DUPLICATE, ReasonCode.SUCCESS));

  private final DedupSettings settings;
  private final IdStore store;
  private final LongSupplier clock;
  private final LongAdder droppedById = new LongAdder();
  private final LongAdder droppedByContent = new LongAdder();
  private final LongAdder droppedResends = new LongAdder();

  DuplicateFilter(DedupSettings settings, IdStore store, LongSupplier clock) {
    this.settings = settings;
    this.store = store;
    this.clock = clock;
  }

  @Override
  public CompletionStage<InterceptResult> onPublish(InboundPublish publish) {
    Message message = publish.message();
    long now = clock.getAsLong();
    Rule rule = settings.ruleFor(message.topic());
    Long id = rule == null ? null : identify(rule, message);

    if (id != null) {
      if (store.recordIfAbsent(id, rule.windowMillis(), now)) {
        return PASS;
      }
      (rule.mode() == Mode.PROPERTY ? droppedById : droppedByContent).increment();
      logDrop(publish, rule.mode() == Mode.PROPERTY ? "id property" : "content hash");
      return DROP;
    }

    if (message.qos() == 0) {
      return PASS;
    }
    long packet = Fingerprints.ofPacket(publish.client().clientId(), publish.packetId(), message.topic(),
        message.payload());
    boolean isNew = store.recordIfAbsent(packet, settings.windowMillis(), now);
    // A publish without DUP=1 is a new message even when it matches, because a client may reuse a
    // packet id for an identical payload once the earlier publish was acknowledged.
    if (isNew || !publish.duplicate()) {
      return PASS;
    }
    droppedResends.increment();
    logDrop(publish, "resend of a packet id");
    return DROP;
  }

  /** Returns the fingerprint that {@code rule} gives {@code message}, or null when it has none. */
  private static Long identify(Rule rule, Message message) {
    if (rule.mode() == Mode.CONTENT_HASH) {
      return Fingerprints.ofContent(message.publisherId(), message.topic(), message.payload());
    }
    for (Message.UserProperty p : message.userProperties()) {
      if (p.name().equals(rule.property())) {
        return Fingerprints.ofIdProperty(message.topic(), p.value());
      }
    }
    return null;
  }

  private static void logDrop(InboundPublish publish, String matchedBy) {
    if (log.isDebugEnabled()) {
      log.debug("duplicate dropped client={} packetId={} qos={} topic={} dup={} matched by {}",
          publish.client().clientId(), publish.packetId(), publish.message().qos(), publish.message().topic(),
          publish.duplicate(), matchedBy);
    }
  }

  long droppedById() {
    return droppedById.sum();
  }

  long droppedByContent() {
    return droppedByContent.sum();
  }

  long droppedResends() {
    return droppedResends.sum();
  }
}
