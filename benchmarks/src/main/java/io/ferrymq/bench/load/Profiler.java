package io.ferrymq.bench.load;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Records a flight recording of FerryMQ in each scenario where it missed a goal, on a broker started
 * for that purpose after the measured repetitions, so the recording does not slow any measured
 * phase. The recording covers one window ({@code jcmd JFR.start} and {@code JFR.stop} with
 * the {@code profile} settings) of twice the measured length, and its execution samples are
 * summarised in words.
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
      Jcmd.startRecording(broker.pid(), recordingName);
      IdleConnections.run(vertx, broker, "profile", options.connections());
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
