package io.ferrymq.sim.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.sim.payload.Payload;
import io.ferrymq.sim.payload.PayloadCodec;
import io.ferrymq.sim.payload.PayloadKind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class PayloadCodecTest {

    @Test
    void encodeDecodeRoundTrip() {
        Payload payload = new Payload(PayloadKind.REPLY, "device-42", 7, 1_700_000_000_000_000L, 3);

        byte[] bytes = PayloadCodec.encode(payload, 256);

        assertThat(bytes).hasSize(256);
        assertThat(PayloadCodec.decode(bytes)).contains(payload);
    }

    @Test
    void encodeNeverTruncatesHeader() {
        byte[] bytes = PayloadCodec.encode(new Payload(PayloadKind.TELEMETRY, "d", 1, 2, 0), 4);

        assertThat(bytes).hasSize(30);
    }

    @Test
    void decodeRejectsForeignPayload() {
        assertThat(PayloadCodec.decode("hello from another client".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(PayloadCodec.decode(new byte[0])).isEmpty();
    }
}
