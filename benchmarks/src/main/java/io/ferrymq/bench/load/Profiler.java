package io.ferrymq.bench.load;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Profiles FerryMQ where it missed a goal, on a broker started for that purpose after the measured
 * repetitions, so no measured phase pays for it. In a traffic scenario it records one window of
 * twice the measured length with JFR ({@code jcmd JFR.start} and {@code JFR.stop}, {@code profile}
 * settings) and summarises the execution samples. For idle connections it compares the heap by class
 * before the connects and with every connection open.
 */
final class Profiler {

  private final Vertx vertx;
  private final BrokerComparison options;

  Profiler(Vertx vertx, BrokerComparison options) {
    this.vertx = vertx;
    this.options = options;
  }

  /** Returns one Markdown paragraph per profiled scenario. */
  List<String> profileMissedGoals(List<Goals.Goal> goals) throws Exception {
    Set<String> missed = new LinkedHashSet<>();
    for (Goals.Goal goal : goals) {
      if (!goal.met() && goal.scenario() != null) {
        missed.add(goal.scenario());
      }
    }
    List<String> paragraphs = new ArrayList<>();
    List<String> inMemory = missed.stream().filter(s -> !s.equals("persistent-qos1")).toList();
    if (!inMemory.isEmpty()) {
      paragraphs.addAll(profile("ferrymq", inMemory));
    }
    if (missed.contains("persistent-qos1")) {
      paragraphs.addAll(profile("ferrymq-ext", List.of("persistent-qos1")));
    }
    return paragraphs;
  }

  private List<String> profile(String brokerName, List<String> scenarios) throws Exception {
    BrokerProcess broker = options.brokerProcess(brokerName);
    Path runDir = options.output().resolve("profile-" + brokerName);
    List<String> paragraphs = new ArrayList<>();
    broker.start(runDir);
    try {
      options.warmUp(vertx, broker, 0);
      for (String name : scenarios) {
        System.out.println("bench: profiling " + brokerName + " in " + name);
        paragraphs.add(profileOne(broker, runDir, name));
      }
    } finally {
      broker.stop();
    }
    return paragraphs;
  }

  private String profileOne(BrokerProcess broker, Path runDir, String scenarioName) throws Exception {
    Path recording = runDir.resolve(scenarioName + ".jfr");
    String recordingName = "bench-" + scenarioName;
    if (scenarioName.equals("connections")) {
      return profileConnections(broker);
    } else {
      BrokerComparison.Scenario scenario = options.allScenarios().stream()
          .filter(s -> s.name().equals(scenarioName)).findFirst().orElseThrow();
      if (options.warmupSeconds() > 0) {
        Phase.run(vertx, broker, scenario.settings("profile-" + scenarioName + "-warm", options.warmupSeconds()));
      }
      Jcmd.startRecording(broker.pid(), recordingName);
      Phase.run(vertx, broker, scenario.settings("profile-" + scenarioName, recordingSeconds()));
    }
    Jcmd.stopRecording(broker.pid(), recordingName, recording);
    String printed = Jcmd.printExecutionSamples(recording);
    Files.writeString(runDir.resolve(scenarioName + "-execution-samples.txt"), printed);
    return describe(broker.name(), scenarioName, JfrSummary.parse(printed),
        options.output().relativize(recording).toString());
  }

  /**
   * Describes where the heap of the idle connections goes: the growth of the live heap by class
   * between a class histogram before the connects and one with every connection open.
   */
  private String profileConnections(BrokerProcess broker) throws Exception {
    Map<String, Long> before = Jcmd.classHistogram(broker.pid());
    Map<String, Long> after = new HashMap<>();
    IdleConnections.Result result = IdleConnections.run(vertx, broker, "profile", options.connections(),
        () -> after.putAll(Jcmd.classHistogram(broker.pid())));
    return describeHeapGrowth(broker.name(), result.connected(), growthByClass(before, after));
  }

  /** Returns the growth in bytes of each class that grew, largest first. */
  static List<Map.Entry<String, Long>> growthByClass(Map<String, Long> before, Map<String, Long> after) {
    return after.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .toList();
  }

  static String describeHeapGrowth(String broker, int connections, List<Map.Entry<String, Long>> growth) {
    long total = growth.stream().mapToLong(Map.Entry::getValue).sum();
    String top = growth.stream().limit(8)
        .map(e -> String.format(Locale.ROOT, "`%s` %.0f B", e.getKey(), e.getValue() / (double) Math.max(1, connections)))
        .collect(Collectors.joining(", "));
    return String.format(Locale.ROOT,
        "- **connections** (%s, `jcmd GC.class_histogram` before the connects and with %d connections open). "
            + "The classes that grew add up to %.2f KiB per connection; the largest, per connection: %s.",
        broker, connections, total / 1024.0 / Math.max(1, connections), top);
  }

  /** Twice the measured window, at least 10 s, so the 10 ms sampling of the profile settings collects a few hundred samples. */
  private int recordingSeconds() {
    return Math.max(10, 2 * options.durationSeconds());
  }

  static String describe(String broker, String scenario, JfrSummary summary, String recording) {
    return String.format(Locale.ROOT,
        "- **%s** (%s, %d execution samples, recording `%s` in the run folder). Samples by thread: %s. "
            + "Top frames: %s. FerryMQ methods anywhere on the stack: %s.",
        scenario, broker, summary.samples(), recording, summary.describe(summary.threads(), 5),
        summary.describe(summary.topFrames(), 6), summary.describe(summary.ferryFramesOnStack(), 6));
  }
}
