package io.ferrymq.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class JfrSummaryTest {

  /** Three samples in the layout of {@code jfr print --events jdk.ExecutionSample} of JDK 17. */
  private static final String PRINTED = """
      jdk.ExecutionSample {
        startTime = 00:12:53.129
        sampledThread = "vert.x-eventloop-thread-2" (javaThreadId = 17)
        state = "STATE_RUNNABLE"
        stackTrace = [
          java.nio.DirectByteBuffer.ix(int) line: 326
          io.ferrymq.broker.session.Session.send(OutboundMessage) line: 120
          io.ferrymq.broker.session.Session.drain() line: 90
          io.ferrymq.broker.session.Session.drain() line: 95
        ]
      }

      jdk.ExecutionSample {
        startTime = 00:12:53.139
        sampledThread = "vert.x-eventloop-thread-0" (javaThreadId = 15)
        state = "STATE_RUNNABLE"
        stackTrace = [
          java.nio.DirectByteBuffer.ix(int) line: 326
          io.ferrymq.broker.routing.Router.route(Message) line: 44
          ...
        ]
      }

      jdk.ExecutionSample {
        startTime = 00:12:53.140
        sampledThread = "ferrymq-journal" (javaThreadId = 40)
        state = "STATE_RUNNABLE"
        stackTrace = [
          jdk.jfr.internal.handlers.EventHandler4417_1796429565157-23799.write(long, long)
          io.ferrymq.extension.persistence.Journal.append(Record) line: 7
        ]
      }
      """;

  @Test
  void parseCountsTopFrames() {
    JfrSummary summary = JfrSummary.parse(PRINTED);

    assertThat(summary.samples()).isEqualTo(3);
    assertThat(summary.topFrames()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "java.nio.DirectByteBuffer.ix", 2,
        "jdk.jfr.internal.handlers.EventHandler4417_1796429565157-23799.write", 1));
  }

  @Test
  void parseCountsFerryMethodOncePerSample() {
    JfrSummary summary = JfrSummary.parse(PRINTED);

    assertThat(summary.ferryFramesOnStack()).containsEntry("io.ferrymq.broker.session.Session.drain", 1);
    assertThat(summary.ferryFramesOnStack()).containsEntry("io.ferrymq.broker.session.Session.send", 1);
    assertThat(summary.ferryFramesOnStack()).containsEntry("io.ferrymq.broker.routing.Router.route", 1);
    assertThat(summary.ferryFramesOnStack()).doesNotContainKey("java.nio.DirectByteBuffer.ix");
  }

  @Test
  void parseGroupsNumberedThreads() {
    JfrSummary summary = JfrSummary.parse(PRINTED);

    assertThat(summary.threads()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "vert.x-eventloop-thread", 2,
        "ferrymq-journal", 1));
  }

  @Test
  void describeListsLargestShareFirst() {
    JfrSummary summary = JfrSummary.parse(PRINTED);

    assertThat(summary.describe(summary.threads(), 5))
        .isEqualTo("`vert.x-eventloop-thread` (66.7 %), `ferrymq-journal` (33.3 %)");
  }

  @Test
  void describeWithoutSamplesSaysSo() {
    JfrSummary empty = JfrSummary.parse("");

    assertThat(empty.describe(empty.topFrames(), 5)).isEqualTo("no samples");
  }

  @Test
  void shortNameKeepsClassAndMethod() {
    assertThat(JfrSummary.shortName("io.ferrymq.broker.routing.Router.route")).isEqualTo("Router.route");
    assertThat(JfrSummary.shortName("main")).isEqualTo("main");
  }
}
