package io.ferrymq.backpressure;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.backpressure.BackpressureSettings.Redelivery;
import io.ferrymq.spi.Message;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DeadLettersTest {

  private static final Redelivery DEFAULTS = new Redelivery(7, true, false, 100, 2, 60_000);

  @Test
  void clientIdBecomesOneTopicLevel() {
    assertThat(DeadLetters.topicFor("plant/line+1#", "jobs/a")).isEqualTo("$dead-letter/plant_line_1_/jobs/a");
    assertThat(DeadLetters.topicFor("", "jobs/a")).isEqualTo("$dead-letter/_/jobs/a");
  }

  @Test
  void deadLetterKeepsPropertiesAndAddsReason() {
    Message original = Message.builder("jobs/a").qos(2).retain(true).payload(new byte[] {1, 2})
        .publisherId("planner").contentType("application/json")
        .userProperties(List.of(new Message.UserProperty("trace", "42"))).build();

    Message dead = new DeadLetters(DEFAULTS).deadLetter(original, "worker", 7);

    assertThat(dead.topic()).isEqualTo("$dead-letter/worker/jobs/a");
    assertThat(dead.qos()).isEqualTo(2);
    assertThat(dead.retain()).isFalse();
    assertThat(dead.payload()).isSameAs(original.payload());
    assertThat(dead.publisherId()).isEqualTo("planner");
    assertThat(dead.contentType()).isEqualTo("application/json");
    assertThat(dead.userProperties()).containsExactly(
        new Message.UserProperty("trace", "42"),
        new Message.UserProperty("dead-letter-reason", "max-delivery-attempts"),
        new Message.UserProperty("dead-letter-attempts", "7"),
        new Message.UserProperty("dead-letter-client-id", "worker"));
  }

  @Test
  void deadLetterOfDeadLetterIsDropped() {
    Message original = Message.builder("$dead-letter/worker/jobs/a").qos(1).build();

    assertThat(new DeadLetters(DEFAULTS).deadLetter(original, "ops", 7)).isNull();
  }

  @Test
  void deadLettersOffDropsMessage() {
    Redelivery off = new Redelivery(7, false, false, 100, 2, 60_000);

    assertThat(new DeadLetters(off).deadLetter(Message.builder("jobs/a").build(), "worker", 7)).isNull();
  }

  @Test
  void retransmitDelayOnlyWhenEnabled() {
    Redelivery on = new Redelivery(7, true, true, 100, 2, 60_000);

    assertThat(new DeadLetters(DEFAULTS).retransmitDelayMillis(1)).isNegative();
    assertThat(new DeadLetters(on).retransmitDelayMillis(1)).isEqualTo(100);
    assertThat(new DeadLetters(on).retransmitDelayMillis(3)).isEqualTo(400);
  }
}
