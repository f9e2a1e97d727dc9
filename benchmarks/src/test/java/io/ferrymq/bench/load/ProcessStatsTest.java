package io.ferrymq.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class ProcessStatsTest {

  @Test
  void cpuTicksAddsUserAndSystemTime() {
    String stat = "4242 (java) S 1 4242 4242 0 -1 4194560 123 0 0 0 1500 250 0 0 20 0 42 0 9000 "
        + "4000000000 50000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";

    assertThat(ProcessStats.cpuTicks(stat)).isEqualTo(1750);
  }

  @Test
  void cpuTicksHandlesOddCommandName() {
    String stat = "77 (my (odd) broker) R 1 77 77 0 -1 0 0 0 0 0 31 9 0 0 20 0 1 0 100 0 0";

    assertThat(ProcessStats.cpuTicks(stat)).isEqualTo(40);
  }

  @Test
  void statusKibReadsNamedLine() {
    String status = "Name:\tjava\nVmPeak:\t  900000 kB\nVmHWM:\t  345678 kB\nVmRSS:\t  300001 kB\nThreads:\t42\n";

    assertThat(ProcessStats.statusKib(status, "VmHWM")).isEqualTo(345_678);
    assertThat(ProcessStats.statusKib(status, "VmRSS")).isEqualTo(300_001);
  }

  @Test
  void statusKibRejectsMissingLine() {
    assertThatThrownBy(() -> ProcessStats.statusKib("Name:\tjava\n", "VmHWM"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("VmHWM");
  }

  @Test
  void readsOwnProcess() {
    long pid = ProcessHandle.current().pid();

    // The current RSS is read first: the peak read after it can only be the same or higher.
    long current = ProcessStats.currentRssKib(pid);
    long peak = ProcessStats.peakRssKib(pid);

    assertThat(ProcessStats.cpuNanos(pid)).isPositive();
    assertThat(current).isPositive();
    assertThat(peak).isGreaterThanOrEqualTo(current);
  }
}
