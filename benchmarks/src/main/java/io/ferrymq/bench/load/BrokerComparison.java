package io.ferrymq.bench.load;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the same fan-in load against FerryMQ and Mosquitto, alternating the brokers in every
 * repetition (A B, A B, ...). It reports delivered messages per second, broker CPU time per message,
 * latency at a fixed rate, peak memory, and lost and duplicated messages.
 *
 * <p>Each repetition starts each broker afresh and warms it up with flat-out traffic at every QoS.
 * Every scenario then gets its own warm-up phase before its measured phase, on the same broker
 * process, so the JIT of the FerryMQ JVM is warm when measured.
 */
@Command(name = "bench brokers", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Compares FerryMQ and Mosquitto on 127.0.0.1 under fan-in load (N publishers, 1 subscriber).")
public final class BrokerComparison implements Callable<Integer> {

  @Option(names = "--brokers", split = ",", paramLabel = "NAME",
      description = "Brokers in the order they alternate: ferrymq, mosquitto. Default: ${DEFAULT-VALUE}.")
  List<String> brokers = List.of("ferrymq", "mosquitto");

  @Option(names = "--repetitions", paramLabel = "N", description = "Repetitions per broker. Default: ${DEFAULT-VALUE}.")
  int repetitions = 3;

  @Option(names = "--qos", split = ",", paramLabel = "Q",
      description = "QoS levels of the flat-out fan-in scenarios. Default: ${DEFAULT-VALUE}.")
  List<Integer> qosLevels = List.of(0, 1, 2);

  @Option(names = "--latency-qos", split = ",", paramLabel = "Q",
      description = "QoS levels of the fixed-rate latency scenarios; 'none' skips them. Default: ${DEFAULT-VALUE}.")
  List<String> latencyQos = List.of("1");

  @Option(names = "--latency-rate", paramLabel = "MSG_PER_S",
      description = "Total publish rate of the latency scenarios, in messages per second. Default: ${DEFAULT-VALUE}.")
  double latencyRate = 5_000;

  @Option(names = "--publishers", paramLabel = "N", description = "Publishing connections. Default: ${DEFAULT-VALUE}.")
  int publishers = 8;

  /**
   * Mosquitto 2.0 allows a client 20 unacknowledged incoming QoS 2 messages by default
   * (max_inflight_messages) and closes the connection of an MQTT 3.1.1 client that sends more, which
   * has no Receive Maximum to learn the limit from. A window of 20 stays within it.
   */
  @Option(names = "--window", paramLabel = "N",
      description = "Per publisher, messages sent but not yet received (flat out) or acknowledged. Default: ${DEFAULT-VALUE}.")
  int window = 20;

  @Option(names = "--payload", paramLabel = "BYTES", description = "Payload size in bytes, at least 20. Default: ${DEFAULT-VALUE}.")
  int payloadSize = 64;

  @Option(names = "--warmup", paramLabel = "SECONDS", description = "Warm-up before each measured phase. Default: ${DEFAULT-VALUE}.")
  int warmupSeconds = 5;

  @Option(names = "--initial-warmup", paramLabel = "SECONDS",
      description = "After each broker start, flat-out traffic at every QoS of --qos for this long each, before the "
          + "first scenario. Default: ${DEFAULT-VALUE}.")
  int initialWarmupSeconds = 5;

  @Option(names = "--duration", paramLabel = "SECONDS", description = "Length of each measured phase. Default: ${DEFAULT-VALUE}.")
  int durationSeconds = 10;

  @Option(names = "--ferrymq-jvm-options", paramLabel = "OPTIONS",
      description = "Extra JVM options for the FerryMQ process, space-separated, e.g. a -XX:StartFlightRecording=... flag.")
  String ferryJvmOptions = "";

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

  @Option(names = "--repo", paramLabel = "DIR", description = "FerryMQ repository root, with broker/target built. Default: current folder.")
  Path repoRoot = Path.of("").toAbsolutePath();

  @Option(names = "--output", paramLabel = "DIR",
      description = "Folder for phases.csv, summary.md and the broker logs. Default: benchmarks/target/brokers-TIMESTAMP.")
  Path output;

  public static void main(String[] args) {
    System.exit(new CommandLine(new BrokerComparison()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
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
    String machine = Machine.describe(mosquittoBinary);
    System.out.println(machine);

    Report report = new Report();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    try {
      for (int repetition = 1; repetition <= repetitions; repetition++) {
        for (String name : brokers) {
          runBroker(vertx, repetition, name, report);
        }
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }

    String summary = report.summary(brokers);
    report.writeCsv(output.resolve("phases.csv"));
    Files.writeString(output.resolve("summary.md"), machine + "\n\n" + settingsLine() + "\n\n" + summary);
    System.out.println();
    System.out.println(settingsLine());
    System.out.println();
    System.out.print(summary);
    System.out.println();
    System.out.println("bench: wrote " + output.resolve("summary.md") + " and " + output.resolve("phases.csv"));
    return 0;
  }

  private void runBroker(Vertx vertx, int repetition, String name, Report report) throws Exception {
    BrokerProcess broker = brokerProcess(name);
    Path runDir = output.resolve("r" + repetition + "-" + name);
    broker.start(runDir);
    try {
      warmUp(vertx, broker, repetition);
      for (Scenario scenario : scenarios()) {
        String id = "r" + repetition + "-" + name + "-" + scenario.name();
        if (warmupSeconds > 0) {
          Phase.run(vertx, broker, scenario.settings(id + "-warm", warmupSeconds));
        }
        Phase.Result result = Phase.run(vertx, broker, scenario.settings(id, durationSeconds));
        Report.Row row = new Report.Row(repetition, name, scenario.name(), result);
        report.add(row);
        System.out.println(Report.line(row));
      }
      report.addPeakRss(name, ProcessStats.peakRssKib(broker.pid()));
    } finally {
      broker.stop();
    }
  }

  /**
   * Runs every flat-out QoS once on a new broker, so the JIT compiles the FerryMQ JVM's hot paths for
   * all of them before the first measured phase and its CPU time does not land on that phase alone.
   */
  private void warmUp(Vertx vertx, BrokerProcess broker, int repetition) throws Exception {
    if (initialWarmupSeconds <= 0) {
      return;
    }
    for (int qos : qosLevels) {
      Scenario scenario = new Scenario("initial-qos" + qos, MqttQoS.valueOf(qos), 0, this);
      Phase.run(vertx, broker, scenario.settings("r" + repetition + "-" + broker.name() + "-initial-qos" + qos,
          initialWarmupSeconds));
    }
  }

  private BrokerProcess brokerProcess(String name) {
    return switch (name) {
      case "ferrymq" -> new BrokerProcess.FerryMq(repoRoot,
          ferryJvmOptions.isBlank() ? List.of() : Arrays.asList(ferryJvmOptions.trim().split("\\s+")));
      case "mosquitto" -> new BrokerProcess.Mosquitto(mosquittoBinary, mosquittoConfigLines);
      default -> throw new IllegalArgumentException("Unknown broker " + name);
    };
  }

  /** One kind of phase: flat-out fan-in or fixed-rate latency, at one QoS. */
  private record Scenario(String name, MqttQoS qos, double rate, BrokerComparison options) {
    Phase.Settings settings(String id, int seconds) {
      return new Phase.Settings(id, qos, options.publishers, options.window, options.payloadSize,
          Duration.ofSeconds(seconds), rate);
    }
  }

  private List<Scenario> scenarios() {
    List<Scenario> scenarios = new ArrayList<>();
    for (int qos : qosLevels) {
      scenarios.add(new Scenario("fan-in-qos" + qos, MqttQoS.valueOf(qos), 0, this));
    }
    for (String qos : latencyQos) {
      if (!qos.equals("none")) {
        scenarios.add(new Scenario("latency-qos" + qos, MqttQoS.valueOf(Integer.parseInt(qos)), latencyRate, this));
      }
    }
    return scenarios;
  }

  private String settingsLine() {
    return String.format(java.util.Locale.ROOT,
        "Settings: %d repetitions per broker, alternating %s; %d publishers -> 1 subscriber; payload %d bytes; "
            + "window %d per publisher; initial warm-up %d s per QoS after each start; warm-up %d s and measured %d s per scenario; latency rate %.0f msg/s; "
            + "FerryMQ JVM options: [%s]; extra Mosquitto config lines: [%s].",
        repetitions, String.join(", ", brokers), publishers, payloadSize, window, initialWarmupSeconds, warmupSeconds, durationSeconds,
        latencyRate, ferryJvmOptions, String.join("; ", mosquittoConfigLines));
  }

  private String validate() {
    for (String name : brokers) {
      if (!name.equals("ferrymq") && !name.equals("mosquitto")) {
        return "unknown broker '" + name + "' in --brokers; expected ferrymq or mosquitto";
      }
    }
    for (int qos : qosLevels) {
      if (qos < 0 || qos > 2) {
        return "invalid --qos " + qos + "; expected 0, 1 or 2";
      }
    }
    for (String qos : latencyQos) {
      if (!qos.equals("none") && !qos.matches("[012]")) {
        return "invalid --latency-qos '" + qos + "'; expected 0, 1, 2 or none";
      }
    }
    if (payloadSize < BenchClient.HEADER_BYTES) {
      return "--payload " + payloadSize + " is too small; the header alone takes " + BenchClient.HEADER_BYTES + " bytes";
    }
    if (repetitions < 1 || publishers < 1 || window < 1 || durationSeconds < 1 || warmupSeconds < 0) {
      return "--repetitions, --publishers, --window and --duration must be at least 1, --warmup at least 0";
    }
    if (brokers.contains("mosquitto") && !Files.isExecutable(mosquittoBinary)) {
      return "Mosquitto binary " + mosquittoBinary + " not found or not executable; install the mosquitto package or pass --mosquitto";
    }
    return null;
  }
}
