package io.ferrymq.sim.scenario.workload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class MessagesTest {

    @Test
    void fieldsSurvivePadding() {
        byte[] payload = Messages.encode(64, "cmd", 12, 1_733_000_000_000_000L);

        assertThat(payload).hasSize(64);
        assertThat(Messages.decode(payload)).containsExactly("cmd", "12", "1733000000000000");
    }

    @Test
    void payloadLongerThanSizeIsNotCut() {
        byte[] payload = Messages.encode(4, "transaction", 7);

        assertThat(Messages.decode(payload)).containsExactly("transaction", "7");
    }
}
