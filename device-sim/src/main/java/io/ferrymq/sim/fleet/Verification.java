package io.ferrymq.sim.fleet;

import io.ferrymq.sim.client.InboundMessage;
import io.ferrymq.sim.payload.Payload;
import io.ferrymq.sim.payload.PayloadCodec;
import io.ferrymq.sim.payload.PayloadKind;
import io.ferrymq.sim.payload.SimClock;
import io.ferrymq.sim.report.Metrics;
import io.ferrymq.sim.verify.DeliveryVerifier;
import io.ferrymq.sim.verify.VerificationResult;
import java.util.List;
import java.util.Optional;

/**
 * Thread-safe front of {@link DeliveryVerifier}: client threads call in concurrently and one lock serializes
 * them, which is cheap next to a network round trip. With verification off only the metrics are kept.
 */
final class Verification {
    private final DeliveryVerifier verifier = new DeliveryVerifier();
    private final boolean enabled;
    private final Metrics metrics;

    Verification(boolean enabled, Metrics metrics) {
        this.enabled = enabled;
        this.metrics = metrics;
    }

    synchronized void addReceiver(String receiverId, int subscriptionQos) {
        if (enabled) {
            verifier.addReceiver(receiverId, subscriptionQos);
        }
    }

    synchronized void addStream(String publisherId, String topic, List<String> receivers) {
        if (enabled) {
            verifier.addStream(publisherId, topic, receivers);
        }
    }

    synchronized void subscribed(String receiverId) {
        if (enabled) {
            verifier.subscribed(receiverId);
        }
    }

    synchronized void sessionEnded(String receiverId) {
        if (enabled) {
            verifier.sessionEnded(receiverId);
        }
    }

    synchronized void published(String publisherId, String topic, long seq, int qos) {
        if (enabled) {
            verifier.published(publisherId, topic, seq, qos);
        }
    }

    synchronized void acknowledged(String publisherId, String topic, long seq) {
        if (enabled) {
            verifier.acknowledged(publisherId, topic, seq);
        }
    }

    synchronized void willExpected(String deviceId, long connection, boolean required, List<String> receivers) {
        if (enabled) {
            verifier.willExpected(deviceId, connection, required, receivers);
        }
    }

    synchronized void retainedExpected(String topic, PayloadKind kind, long seq, boolean confirmed) {
        if (enabled) {
            verifier.retainedExpected(topic, kind, seq, confirmed);
        }
    }

    synchronized void retainedConfirmed(String topic, PayloadKind kind, long seq) {
        if (enabled) {
            verifier.retainedConfirmed(topic, kind, seq);
        }
    }

    synchronized void retainedFound(String topic, Payload payload) {
        if (enabled) {
            verifier.retainedFound(topic, payload);
        }
    }

    synchronized void retainedChecked() {
        if (enabled) {
            verifier.retainedChecked();
        }
    }

    /**
     * Checks a live delivery and records its latency. Messages with the retain flag came from the retained
     * store on subscribe, possibly from an earlier run, so only the retained check looks at them.
     *
     * @return the decoded payload, or empty for a foreign or retained message
     */
    Optional<Payload> onMessage(String receiverId, InboundMessage message) {
        if (message.retain()) {
            return Optional.empty();
        }
        Optional<Payload> decoded = PayloadCodec.decode(message.payload());
        metrics.delivered.increment();
        decoded.ifPresent(payload -> metrics.recordLatency(payload.sentAtMicros(), SimClock.nowMicros()));
        if (!enabled) {
            return decoded;
        }
        synchronized (this) {
            if (decoded.isEmpty()) {
                verifier.receivedForeign(receiverId, message.topic());
            } else if (decoded.get().kind() == PayloadKind.WILL) {
                verifier.willReceived(receiverId, decoded.get().publisherId(), decoded.get().seq());
            } else {
                verifier.received(receiverId, message.topic(), decoded.get(), message.qos());
            }
        }
        return decoded;
    }

    synchronized long outstanding() {
        return enabled ? verifier.outstanding() : 0;
    }

    synchronized long duplicatedSoFar() {
        return enabled ? verifier.duplicatedSoFar() : 0;
    }

    synchronized Optional<VerificationResult> result() {
        return enabled ? Optional.of(verifier.result()) : Optional.empty();
    }
}
