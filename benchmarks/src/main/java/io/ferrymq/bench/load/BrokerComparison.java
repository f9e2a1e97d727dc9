package io.ferrymq.bench.load;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the same scenarios against FerryMQ (in memory, and with its default extensions), Mosquitto
 * and HiveMQ CE, each broker in a process of its own on 127.0.0.1, alternating the brokers in every
 * repetition (A B C, A B C, ...). It reports delivered messages per second, broker CPU time per
 * message, lost, duplicated and reordered messages, latency at a fixed rate, peak memory and the
 * cost of idle connections, checks FerryMQ's goals, profiles FerryMQ where it misses one, and
 * regenerates the results block of {@code docs/benchmarks.md} and the headline of {@code README.md}.
 *
 * <p>Each repetition starts each broker afresh and warms it up with flat-out traffic at every QoS.
 * Every scenario then gets its own warm-up phase before its measured phase, on the same broker
 * process, so the JIT of a JVM broker is warm when measured.
 */
@Command(name = "bench brokers", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Compares FerryMQ, Mosquitto and HiveMQ CE on 127.0.0.1, each broker in its own process.")
public final class BrokerComparison implements Callable<Integer> {

  static final List<String> ALL_BROKERS = List.of("ferrymq", "ferrymq-ext", "mosquitto", "hivemq", "mosquitto-persist");
  static final String DOCS_BLOCK = "bench-brokers";
  static final String README_BLOCK = "bench-brokers-headline";

  @Option(names = "--brokers", split = ",", paramLabel = "NAME",
      description = "Brokers in the order they alternate, from ${DEFAULT-VALUE}. mosquitto-persist runs only the "
          + "persistent scenario.")
  List<String> brokers = ALL_BROKERS;

  @Option(names = "--quick", description = "Short run: 1 repetition, 1 s warm-ups, 3 s windows, 1,000 idle connections, "
      + "no profile, and the pages are not rewritten unless --write-docs is given. About 3 minutes.")
  boolean quick;

  @Option(names = "--repetitions", paramLabel = "N", description = "Repetitions per broker. Default: 3.")
  Integer repetitions;

  @Option(names = "--duration", paramLabel = "SECONDS", description = "Length of each measured phase. Default: 6.")
  Integer durationSeconds;

  @Option(names = "--warmup", paramLabel = "SECONDS", description = "Warm-up before each measured phase. Default: 3.")
  Integer warmupSeconds;

  @Option(names = "--initial-warmup", paramLabel = "SECONDS",
      description = "After each broker start, flat-out fan-in at QoS 0, 1 and 2 for this long each. Default: 2.")
  Integer initialWarmupSeconds;

  @Option(names = "--connections", paramLabel = "N", description = "Idle connections of the connections scenario; 0 skips it. Default: 5000.")
  Integer connections;

  @Option(names = "--scenarios", split = ",", paramLabel = "NAME",
      description = "Scenarios to run, from fan-in-qos0, fan-in-qos1, fan-in-qos2, fan-out-qos1, latency-qos1, "
          + "persistent-qos1, connections. Default: all.")
  List<String> scenarioNames = List.of("fan-in-qos0", "fan-in-qos1", "fan-in-qos2", "fan-out-qos1", "latency-qos1",
      "persistent-qos1", "connections");

  @Option(names = "--latency-rate", paramLabel = "MSG_PER_S",
      description = "Total publish rate of the latency scenario, in messages per second. Default: ${DEFAULT-VALUE}.")
  double latencyRate = 2_000;

  @Option(names = "--publishers", paramLabel = "N", description = "Publishers of the fan-in scenarios. Default: ${DEFAULT-VALUE}.")
  int publishers = 8;

  @Option(names = "--fan-out-subscribers", paramLabel = "N",
      description = "Subscribers of the fan-out scenario, all on one topic. Default: ${DEFAULT-VALUE}.")
  int fanOutSubscribers = 50;

  /**
   * Mosquitto 2.0 allows a client 20 unacknowledged incoming QoS 2 messages by default
   * (max_inflight_messages) and drops or refuses more from an MQTT 3.1.1 client, which has no
   * Receive Maximum to learn the limit from. A window of 20 stays within it.
   */
  @Option(names = "--window", paramLabel = "N",
      description = "Per publisher, messages sent but not yet received by every subscriber (flat out) or acknowledged. "
          + "Default: ${DEFAULT-VALUE}.")
  int window = 20;

  @Option(names = "--payload", paramLabel = "BYTES", description = "Payload size in bytes, at least 20. Default: ${DEFAULT-VALUE}.")
  int payloadSize = 64;

  @Option(names = "--heap", paramLabel = "SIZE", description = "-Xmx of every JVM broker (FerryMQ, HiveMQ CE). Default: ${DEFAULT-VALUE}.")
  String heap = "512m";

  @Option(names = "--ferrymq-jvm-options", paramLabel = "OPTIONS",
      description = "Extra JVM options for the FerryMQ processes, space-separated.")
  String ferryJvmOptions = "";

  @Option(names = "--profile", negatable = true,
      description = "Profile FerryMQ with JFR in each scenario where it misses a goal, after the measured repetitions. "
          + "Default: on, off with --quick.")
  Boolean profile;

  @Option(names = "--write-docs", negatable = true,
      description = "Rewrite the generated blocks of docs/benchmarks.md and README.md. Default: on, off with --quick.")
  Boolean writeDocs;

  @Option(names = "--mosquitto", paramLabel = "FILE", description = "Mosquitto binary. Default: ${DEFAULT-VALUE}.")
  Path mosquittoBinary = Path.of("/usr/sbin/mosquitto");

  /**
   * Mosquitto 2.0.11 dropped QoS 1 messages for the subscriber ("Outgoing messages are being dropped")
   * under this load with its default max_queued_messages of 1000, although the window keeps at most
   * publishers x window messages (160 by default) on their way. Lifting the limit stops those drops.
   */
  @Option(names = "--mosquitto-config", paramLabel = "LINE",
      description = "A line to add to Mosquitto's config file; repeat for more. Default: ${DEFAULT-VALUE}.")
  List<String> mosquittoConfigLines = new ArrayList<>(List.of("max_queued_messages 0"));

  @Option(names = "--repo", paramLabel = "DIR", description = "FerryMQ repository root, with everything built. Default: current folder.")
  Path repoRoot = Path.of("").toAbsolutePath();

  @Option(names = "--output", paramLabel = "DIR",
      description = "Folder for the CSV files, summary.md, recordings and broker logs. Default: benchmarks/target/brokers-TIMESTAMP.")
  Path output;

  public static void main(String[] args) {
    // Set before the first logger exists; the jars on the classpath bring logback.xml files of their own.
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "bench-logback.xml");
    }
    System.exit(new CommandLine(new BrokerComparison()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    applyDefaults();
    String invalid = validate();
    if (invalid != null) {
      System.err.println("bench: " + invalid);
      return 2;
    }
    if (output == null) {
      output = repoRoot.resolve("benchmarks/target/brokers-"
          + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }
    Files.createDirectories(output);
    String started = LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"));
    String loadAtStart = Machine.loadAverage();
    // Read before the run: the run itself rewrites tracked pages at the end.
    String commit = Machine.commit(repoRoot);
    String machine = Machine.describe(mosquittoBinary, heap);
    System.out.println(machine);
    System.out.println(settingsText());

    Report report = new Report();
    List<String> profiles = new ArrayList<>();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    try {
      for (int repetition = 1; repetition <= repetitions; repetition++) {
        for (String name : brokers) {
          runBroker(vertx, repetition, name, report);
        }
      }
      List<Goals.Goal> goals = Goals.evaluate(report);
      if (profile) {
        profiles = new Profiler(vertx, this).profileMissedGoals(goals);
      }
      String loadAtEnd = Machine.loadAverage();
      ResultsPage page = new ResultsPage(report, goals, profiles, brokers);
      String block = page.block(started, commit, machine, loadAtStart, loadAtEnd, settingsText(),
          commandLine());
      report.writeCsv(output.resolve("phases.csv"));
      Files.writeString(output.resolve("summary.md"), block);
      System.out.println();
      System.out.print(block);
      if (writeDocs) {
        DocsPage.rewrite(repoRoot.resolve("docs/benchmarks.md"), DOCS_BLOCK, block);
        DocsPage.rewrite(repoRoot.resolve("README.md"), README_BLOCK, page.headline(started, loadAtStart, loadAtEnd));
        System.out.println("bench: rewrote the generated blocks of docs/benchmarks.md and README.md");
      }
      System.out.println("bench: wrote " + output.resolve("summary.md") + ", phases.csv and connections.csv");
      return 0;
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private void runBroker(Vertx vertx, int repetition, String name, Report report) throws Exception {
    BrokerProcess broker = brokerProcess(name);
    List<Scenario> scenarios = scenariosFor(broker);
    if (scenarios.isEmpty() && !runsConnections(broker)) {
      return;
    }
    Path runDir = output.resolve("r" + repetition + "-" + name);
    broker.start(runDir);
    try {
      // Idle connections come first, on the fresh process: memory that earlier traffic left allocated
      // (malloc arenas, a grown heap) would otherwise absorb the growth that this scenario measures.
      if (runsConnections(broker)) {
        IdleConnections.Result result = IdleConnections.run(vertx, broker, "r" + repetition + "-" + name, connections);
        Report.ConnectionRow row = new Report.ConnectionRow(repetition, name, result);
        report.add(row);
        System.out.println(Report.line(row));
      }
      warmUp(vertx, broker, repetition);
      for (Scenario scenario : scenarios) {
        String id = "r" + repetition + "-" + name + "-" + scenario.name();
        if (warmupSeconds > 0) {
          Phase.run(vertx, broker, scenario.settings(id + "-warm", warmupSeconds));
        }
        Phase.Result result = Phase.run(vertx, broker, scenario.settings(id, durationSeconds));
        Report.Row row = new Report.Row(repetition, name, scenario.name(), result);
        report.add(row);
        System.out.println(Report.line(row));
      }
    } finally {
      broker.stop();
    }
  }

  /**
   * Runs flat-out fan-in at QoS 0, 1 and 2 once on a new broker. The JIT of a JVM broker then
   * compiles the hot paths of all three before the first measured phase, so that CPU time does not
   * land on one phase alone.
   */
  void warmUp(Vertx vertx, BrokerProcess broker, int repetition) throws Exception {
    if (initialWarmupSeconds <= 0) {
      return;
    }
    for (int qos = 0; qos <= 2; qos++) {
      Scenario scenario = new Scenario("initial-qos" + qos, MqttQoS.valueOf(qos), publishers, 1, 0, false, this);
      Phase.run(vertx, broker, scenario.settings("r" + repetition + "-" + broker.name() + "-initial-qos" + qos,
          initialWarmupSeconds));
    }
  }

  BrokerProcess brokerProcess(String name) {
    List<String> jvm = new ArrayList<>(List.of("-Xmx" + heap));
    List<String> ferryJvm = new ArrayList<>(jvm);
    if (!ferryJvmOptions.isBlank()) {
      ferryJvm.addAll(Arrays.asList(ferryJvmOptions.trim().split("\\s+")));
    }
    return switch (name) {
      case "ferrymq" -> new BrokerProcess.FerryMq(repoRoot, ferryJvm, false);
      case "ferrymq-ext" -> new BrokerProcess.FerryMq(repoRoot, ferryJvm, true);
      case "mosquitto" -> new BrokerProcess.Mosquitto(mosquittoBinary, mosquittoConfigLines, false);
      case "mosquitto-persist" -> new BrokerProcess.Mosquitto(mosquittoBinary, mosquittoConfigLines, true);
      case "hivemq" -> new BrokerProcess.HiveMq(repoRoot, jvm);
      default -> throw new IllegalArgumentException("Unknown broker " + name);
    };
  }

  /**
   * One kind of phase at one QoS: fan-in or fan-out, flat out or at a fixed rate.
   *
   * @param persistentSession whether the subscribers keep their sessions, which only brokers with
   *     persistence run
   */
  record Scenario(String name, MqttQoS qos, int publishers, int subscribers, double rate, boolean persistentSession,
                  BrokerComparison options) {
    Phase.Settings settings(String id, int seconds) {
      return new Phase.Settings(id, qos, publishers, subscribers, options.window, options.payloadSize,
          Duration.ofSeconds(seconds), rate, persistentSession);
    }
  }

  List<Scenario> allScenarios() {
    List<Scenario> all = List.of(
        new Scenario("fan-in-qos0", MqttQoS.AT_MOST_ONCE, publishers, 1, 0, false, this),
        new Scenario("fan-in-qos1", MqttQoS.AT_LEAST_ONCE, publishers, 1, 0, false, this),
        new Scenario("fan-in-qos2", MqttQoS.EXACTLY_ONCE, publishers, 1, 0, false, this),
        new Scenario("fan-out-qos1", MqttQoS.AT_LEAST_ONCE, 1, fanOutSubscribers, 0, false, this),
        new Scenario("latency-qos1", MqttQoS.AT_LEAST_ONCE, publishers, 1, latencyRate, false, this),
        new Scenario("persistent-qos1", MqttQoS.AT_LEAST_ONCE, publishers, 1, 0, true, this));
    return all.stream().filter(s -> scenarioNames.contains(s.name())).toList();
  }

  /** Selects the scenarios of one broker: the persistent one needs persistence, and the persistent Mosquitto runs no other. */
  private List<Scenario> scenariosFor(BrokerProcess broker) {
    boolean persistentOnly = broker.name().equals("mosquitto-persist");
    return allScenarios().stream()
        .filter(s -> s.persistentSession() ? broker.persistent() : !persistentOnly)
        .toList();
  }

  private boolean runsConnections(BrokerProcess broker) {
    return connections > 0 && scenarioNames.contains("connections") && !broker.name().equals("mosquitto-persist");
  }

  private void applyDefaults() {
    repetitions = orDefault(repetitions, 1, 3);
    durationSeconds = orDefault(durationSeconds, 3, 6);
    warmupSeconds = orDefault(warmupSeconds, 1, 3);
    initialWarmupSeconds = orDefault(initialWarmupSeconds, 1, 2);
    connections = orDefault(connections, 1_000, 5_000);
    if (profile == null) {
      profile = !quick;
    }
    if (writeDocs == null) {
      writeDocs = !quick;
    }
  }

  /** Returns the value given on the command line, or else the default of a quick or a full run. */
  private int orDefault(Integer commandLineValue, int quickDefault, int fullDefault) {
    if (commandLineValue != null) {
      return commandLineValue;
    }
    return quick ? quickDefault : fullDefault;
  }

  String settingsText() {
    return String.format(Locale.ROOT,
        "%d repetitions, brokers alternating in the order %s; fan-in: %d publishers -> 1 subscriber on bench/{phase}/+; "
            + "fan-out: 1 publisher -> %d subscribers on one topic; payload %d bytes; MQTT 3.1.1 clients with clean "
            + "session (the persistent scenario's subscriber has clean session 0); window %d messages per publisher; "
            + "after each broker start %d s of flat-out fan-in at each QoS; then per scenario %d s warm-up and %d s "
            + "measured; latency rate %.0f msg/s; %d idle connections; JVM brokers -Xmx%s%s; extra Mosquitto config "
            + "lines: [%s].",
        repetitions, String.join(", ", brokers), publishers, fanOutSubscribers, payloadSize, window,
        initialWarmupSeconds, warmupSeconds, durationSeconds, latencyRate, connections, heap,
        ferryJvmOptions.isBlank() ? "" : ", FerryMQ also " + ferryJvmOptions, String.join("; ", mosquittoConfigLines));
  }

  /** Returns the command that repeats this run's settings. */
  private String commandLine() {
    return "bin/bench brokers" + (quick ? " --quick" : "") + " --repetitions " + repetitions + " --duration "
        + durationSeconds + " --warmup " + warmupSeconds + " --connections " + connections;
  }

  Path output() {
    return output;
  }

  int warmupSeconds() {
    return warmupSeconds;
  }

  int durationSeconds() {
    return durationSeconds;
  }

  int connections() {
    return connections;
  }

  private String validate() {
    Set<String> seen = new LinkedHashSet<>();
    for (String name : brokers) {
      if (!ALL_BROKERS.contains(name)) {
        return "unknown broker '" + name + "' in --brokers; expected some of " + String.join(", ", ALL_BROKERS);
      }
      if (!seen.add(name)) {
        return "broker '" + name + "' appears twice in --brokers; name each once";
      }
    }
    for (String name : scenarioNames) {
      if (!name.equals("connections") && allScenarios().stream().noneMatch(s -> s.name().equals(name))) {
        return "unknown scenario '" + name + "' in --scenarios; run with --help for the list";
      }
    }
    if (payloadSize < BenchClient.HEADER_BYTES) {
      return "--payload " + payloadSize + " is too small; the header alone takes " + BenchClient.HEADER_BYTES + " bytes";
    }
    if (repetitions < 1 || publishers < 1 || fanOutSubscribers < 1 || window < 1 || durationSeconds < 1
        || warmupSeconds < 0 || connections < 0 || latencyRate <= 0) {
      return "--repetitions, --publishers, --fan-out-subscribers, --window and --duration must be at least 1, "
          + "--warmup and --connections at least 0, --latency-rate above 0";
    }
    if (!heap.matches("\\d+[kmgKMG]?")) {
      return "invalid --heap '" + heap + "'; expected a JVM size such as 512m or 1g";
    }
    if (brokers.stream().anyMatch(b -> b.startsWith("mosquitto")) && !Files.isExecutable(mosquittoBinary)) {
      return "Mosquitto binary " + mosquittoBinary + " not found or not executable; install the mosquitto package or pass --mosquitto";
    }
    return null;
  }
}
