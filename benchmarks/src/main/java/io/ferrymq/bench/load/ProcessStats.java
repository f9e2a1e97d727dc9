package io.ferrymq.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and peak resident memory of a Linux process, read from {@code /proc/PID/stat} and {@code
 * /proc/PID/status}. The figures cover every thread of the process, so a JVM's JIT compiler and
 * garbage collector count as the broker's cost.
 */
final class ProcessStats {

  /**
   * Kernel clock ticks per second for {@code utime} and {@code stime}. The value is 100 on every
   * common Linux build, and {@code getconf CLK_TCK} confirms it where a run looks wrong.
   */
  static final long TICKS_PER_SECOND = 100;

  private ProcessStats() {
  }

  /** Returns the user plus system CPU time that process {@code pid} has used, in nanoseconds. */
  static long cpuNanos(long pid) {
    return cpuTicks(read(Path.of("/proc", Long.toString(pid), "stat"))) * (1_000_000_000L / TICKS_PER_SECOND);
  }

  /** Returns {@code utime + stime}, fields 14 and 15, of one {@code /proc/PID/stat} line, in clock ticks. */
  static long cpuTicks(String stat) {
    // The command name in brackets may contain spaces and brackets, so the fields are counted from its last closing bracket.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /**
   * Returns the CPU time that all processes on the machine have used since boot, in nanoseconds:
   * user, nice, system, irq, softirq and steal time of the {@code cpu} line of {@code /proc/stat}.
   */
  static long machineBusyNanos() {
    String first = read(Path.of("/proc/stat")).lines().findFirst().orElseThrow();
    String[] fields = first.trim().split("\\s+");
    long ticks = 0;
    for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
      ticks += Long.parseLong(fields[i]);
    }
    return ticks * (1_000_000_000L / TICKS_PER_SECOND);
  }

  /** Returns the peak resident set size of process {@code pid} so far ({@code VmHWM}), in kibibytes. */
  static long peakRssKib(long pid) {
    return statusKib(read(Path.of("/proc", Long.toString(pid), "status")), "VmHWM");
  }

  /** Returns the current resident set size of process {@code pid} ({@code VmRSS}), in kibibytes. */
  static long currentRssKib(long pid) {
    return statusKib(read(Path.of("/proc", Long.toString(pid), "status")), "VmRSS");
  }

  /** Returns the value of line {@code key} of a {@code /proc/PID/status} text, such as {@code VmHWM:  1234 kB}, in kibibytes. */
  static long statusKib(String status, String key) {
    for (String line : status.split("\n")) {
      if (line.startsWith(key + ":")) {
        return Long.parseLong(line.substring(key.length() + 1).replace("kB", "").trim());
      }
    }
    throw new IllegalStateException("No " + key + " line in /proc/PID/status");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Failed to read " + file + "; has the process exited?", e);
    }
  }
}
