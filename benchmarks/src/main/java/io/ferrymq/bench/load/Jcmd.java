package io.ferrymq.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Diagnostic commands sent to a broker JVM with the JDK's {@code jcmd}: a full GC, the heap in use,
 * and a flight recording. The broker must run as the same user as this load generator.
 */
final class Jcmd {

  private static final long TIMEOUT_SECONDS = 60;
  /** The heap line of {@code GC.heap_info}, e.g. {@code garbage-first heap   total 262144K, used 20480K [...]}. */
  private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total\\s+(\\d+)K,\\s+used\\s+(\\d+)K");

  /** A row of {@code GC.class_histogram}: rank, instances, bytes, class name and an optional module. */
  private static final Pattern HISTOGRAM_ROW = Pattern.compile("^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)");

  private Jcmd() {
  }

  /**
   * Runs a full GC in process {@code pid} ({@code GC.run}), then returns the heap in use after it
   * ({@code GC.heap_info}), in kibibytes.
   */
  static long heapUsedAfterFullGcKib(long pid) throws IOException, InterruptedException {
    run(pid, "GC.run");
    return heapUsedKib(run(pid, "GC.heap_info"));
  }

  /** Returns the used heap of a {@code GC.heap_info} output, in kibibytes. */
  static long heapUsedKib(String heapInfo) {
    Matcher matcher = HEAP_USED.matcher(heapInfo);
    if (!matcher.find()) {
      throw new IllegalStateException("No 'heap total ...K, used ...K' line in GC.heap_info output: " + heapInfo);
    }
    return Long.parseLong(matcher.group(2));
  }

  /**
   * Returns the live heap by class of process {@code pid}, in bytes ({@code GC.class_histogram},
   * which runs a full GC first).
   */
  static Map<String, Long> classHistogram(long pid) throws IOException, InterruptedException {
    return parseClassHistogram(run(pid, "GC.class_histogram"));
  }

  /** Parses the rows of a {@code GC.class_histogram} output, such as {@code 1:  120  4800  [B (java.base@17)}, into bytes by class. */
  static Map<String, Long> parseClassHistogram(String histogram) {
    Map<String, Long> bytes = new LinkedHashMap<>();
    for (String line : histogram.split("\n")) {
      Matcher row = HISTOGRAM_ROW.matcher(line);
      if (row.find()) {
        bytes.merge(row.group(2), Long.parseLong(row.group(1)), Long::sum);
      }
    }
    return bytes;
  }

  /** Starts a flight recording named {@code name} with the {@code profile} settings. */
  static void startRecording(long pid, String name) throws IOException, InterruptedException {
    run(pid, "JFR.start", "name=" + name, "settings=profile");
  }

  /** Stops recording {@code name} and writes it to {@code file}. */
  static void stopRecording(long pid, String name, Path file) throws IOException, InterruptedException {
    run(pid, "JFR.stop", "name=" + name, "filename=" + file.toAbsolutePath());
  }

  /** Returns the execution samples of a recording as {@code jfr print} writes them, with deep stacks. */
  static String printExecutionSamples(Path recording) throws IOException, InterruptedException {
    Path jfr = Path.of(System.getProperty("java.home"), "bin", "jfr");
    return exec(List.of(jfr.toString(), "print", "--stack-depth", "64", "--events", "jdk.ExecutionSample",
        recording.toAbsolutePath().toString()));
  }

  private static String run(long pid, String... command) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    List<String> line = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
    line.addAll(List.of(command));
    return exec(line);
  }

  private static String exec(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    // Reading to the end before waiting keeps a large output from filling the pipe and blocking the tool.
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException(String.join(" ", command) + " timed out after " + TIMEOUT_SECONDS + " s");
    }
    if (process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed with exit code " + process.exitValue() + ": " + output);
    }
    return output;
  }
}
