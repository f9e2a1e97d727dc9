package io.ferrymq.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class JcmdTest {

  @Test
  void heapUsedKibReadsG1HeapLine() {
    String heapInfo = """
        12345:
         garbage-first heap   total 65536K, used 23455K [0x00000000e0000000, 0x0000000100000000)
          region size 1024K, 5 young (5120K), 0 survivors (0K)
         Metaspace       used 12345K, committed 12800K, reserved 1114112K
          class space    used 1234K, committed 1408K, reserved 1048576K
        """;

    assertThat(Jcmd.heapUsedKib(heapInfo)).isEqualTo(23_455);
  }

  @Test
  void heapUsedKibRejectsOutputWithoutHeapLine() {
    assertThatThrownBy(() -> Jcmd.heapUsedKib("12345:\nCould not attach\n"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("GC.heap_info");
  }

  @Test
  void heapUsedAfterFullGcReadsThisJvm() throws Exception {
    long used = Jcmd.heapUsedAfterFullGcKib(ProcessHandle.current().pid());

    assertThat(used).isPositive();
    assertThat(used * 1024).isLessThanOrEqualTo(Runtime.getRuntime().maxMemory());
  }

  @Test
  void parseClassHistogramReadsBytesByClass() {
    String histogram = """
        12345:
         num     #instances         #bytes  class name (module)
        -------------------------------------------------------
           1:         20000        1600000  [B (java.base@17.0.15)
           2:          5000         240000  io.ferrymq.broker.session.Session
           3:           100           2400  java.lang.String (java.base@17.0.15)
        Total         25100        1842400
        """;

    assertThat(Jcmd.parseClassHistogram(histogram)).containsExactly(
        java.util.Map.entry("[B", 1_600_000L),
        java.util.Map.entry("io.ferrymq.broker.session.Session", 240_000L),
        java.util.Map.entry("java.lang.String", 2_400L));
  }
}
