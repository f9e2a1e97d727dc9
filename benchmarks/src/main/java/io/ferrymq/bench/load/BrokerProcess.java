package io.ferrymq.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One broker under test, started as a child process on 127.0.0.1 and stopped by its own pid. Each
 * start gets a fresh port and a fresh folder, so no state carries over from one repetition to the
 * next.
 */
abstract class BrokerProcess {

  static final String HOST = "127.0.0.1";
  private static final long START_TIMEOUT_MILLIS = 60_000;
  private static final long STOP_TIMEOUT_SECONDS = 15;

  /**
   * Brokers started and not yet stopped. A shutdown hook stops them, so an interrupted run (Ctrl-C,
   * SIGTERM) leaves no broker behind; SIGKILL still does.
   */
  private static final java.util.Set<Process> RUNNING = java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroy), "bench-stop-brokers"));
  }

  private Process process;
  private int port;

  /** The name in reports: {@code ferrymq} or {@code mosquitto}. */
  abstract String name();

  /** Returns the command that starts the broker on {@code port}, with {@code runDir} as its scratch folder. */
  abstract List<String> command(int port, Path runDir) throws IOException;

  /** Starts the broker and waits until its port accepts connections. */
  void start(Path runDir) throws IOException, InterruptedException {
    Files.createDirectories(runDir);
    port = freePort();
    ProcessBuilder builder = new ProcessBuilder(command(port, runDir))
        .directory(runDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(runDir.resolve(name() + ".log").toFile());
    process = builder.start();
    RUNNING.add(process);
    awaitPort(runDir);
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  /** Stops the broker with SIGTERM, and with SIGKILL if it has not exited after 15 s. */
  void stop() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroy();
    if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      System.err.printf("bench: %s (pid %d) ignored SIGTERM for %d s; killing it%n", name(), pid(),
          STOP_TIMEOUT_SECONDS);
      process.destroyForcibly();
      process.waitFor();
    }
    RUNNING.remove(process);
    process = null;
  }

  private void awaitPort(Path runDir) throws InterruptedException {
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name() + " exited with code " + process.exitValue()
            + " before listening; see " + runDir.resolve(name() + ".log"));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(HOST, port), 500);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    stop();
    throw new IllegalStateException(name() + " did not listen on port " + port + " within "
        + START_TIMEOUT_MILLIS / 1000 + " s; see " + runDir.resolve(name() + ".log"));
  }

  /**
   * Returns a port that was free a moment ago. Another process could take it before the broker
   * binds it, and the broker then fails to start with a clear message in its log.
   */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Failed to find a free port on " + HOST, e);
    }
  }

  /** Returns whether the broker runs on a JVM, so that jcmd can read its heap and record a profile. */
  boolean isJvm() {
    return false;
  }

  /** Returns whether the broker keeps the queued messages of persistent sessions on disk. */
  boolean persistent() {
    return false;
  }

  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * FerryMQ in its own JVM, from the classes and jars that {@code mvn package} builds. Without
   * extensions it keeps everything in memory. With them it runs like {@code bin/ferrymq}: every
   * extension built under {@code extensions/} on the classpath, and the launcher switches on
   * persistence, dedup and metrics with their default settings.
   */
  static final class FerryMq extends BrokerProcess {
    private final Path repoRoot;
    private final List<String> jvmOptions;
    private final boolean withExtensions;

    FerryMq(Path repoRoot, List<String> jvmOptions, boolean withExtensions) {
      this.repoRoot = repoRoot;
      this.jvmOptions = List.copyOf(jvmOptions);
      this.withExtensions = withExtensions;
    }

    @Override
    String name() {
      return withExtensions ? "ferrymq-ext" : "ferrymq";
    }

    @Override
    boolean isJvm() {
      return true;
    }

    @Override
    boolean persistent() {
      return withExtensions;
    }

    @Override
    List<String> command(int port, Path runDir) throws IOException {
      Path target = repoRoot.resolve("broker/target");
      if (!Files.isDirectory(target.resolve("classes")) || !Files.isDirectory(target.resolve("lib"))) {
        throw new IllegalStateException("FerryMQ is not built: " + target
            + " lacks classes/ or lib/; run bin/bench, which builds it");
      }
      StringBuilder classPath = new StringBuilder(target.resolve("classes") + ":" + target.resolve("lib") + "/*");
      if (withExtensions) {
        appendExtensions(classPath);
      }
      List<String> command = new java.util.ArrayList<>();
      command.add(javaBinary());
      command.addAll(jvmOptions);
      command.addAll(List.of("-cp", classPath.toString(), "io.ferrymq.broker.Main", "--port", Integer.toString(port),
          "--ws-port", "-1", "--data-dir", runDir.resolve("data").toString(),
          "--extensions-dir", runDir.resolve("extensions").toString()));
      if (withExtensions) {
        command.addAll(List.of("--metrics-port", Integer.toString(freePort())));
      }
      return command;
    }

    private void appendExtensions(StringBuilder classPath) throws IOException {
      int found = 0;
      try (var targets = Files.newDirectoryStream(repoRoot.resolve("extensions"), "*")) {
        for (Path module : targets) {
          Path target = module.resolve("target");
          if (!Files.isDirectory(target)) {
            continue;
          }
          try (var jars = Files.newDirectoryStream(target, "ferrymq-extension-*.jar")) {
            for (Path jar : jars) {
              classPath.append(':').append(jar);
              found++;
            }
          }
          if (Files.isDirectory(target.resolve("lib"))) {
            classPath.append(':').append(target.resolve("lib")).append("/*");
          }
        }
      }
      if (found == 0) {
        throw new IllegalStateException("No extension jar under " + repoRoot.resolve("extensions")
            + "/*/target; run bin/bench, which builds them");
      }
    }
  }

  /**
   * Eclipse Mosquitto with a config file of our own: one listener on loopback, anonymous clients,
   * persistence off or on (then in {@code runDir}), then {@code extraLines}; every other limit stays
   * at Mosquitto's default.
   */
  static final class Mosquitto extends BrokerProcess {
    private final Path binary;
    private final List<String> extraLines;
    private final boolean persistence;

    Mosquitto(Path binary, List<String> extraLines, boolean persistence) {
      this.binary = binary;
      this.extraLines = List.copyOf(extraLines);
      this.persistence = persistence;
    }

    @Override
    String name() {
      return persistence ? "mosquitto-persist" : "mosquitto";
    }

    @Override
    boolean persistent() {
      return persistence;
    }

    @Override
    List<String> command(int port, Path runDir) throws IOException {
      Path config = runDir.resolve("mosquitto.conf");
      List<String> lines = new java.util.ArrayList<>(List.of(
          "listener " + port + " " + HOST,
          "allow_anonymous true",
          "persistence " + persistence,
          // Started as root, Mosquitto would switch to the user "mosquitto", which cannot write to runDir.
          "user " + System.getProperty("user.name"),
          "log_dest stdout",
          "log_type error",
          "log_type warning",
          "log_type notice"));
      if (persistence) {
        lines.add("persistence_location " + runDir.toAbsolutePath() + "/");
      }
      lines.addAll(extraLines);
      Files.write(config, lines);
      return List.of(binary.toString(), "-c", config.toString());
    }
  }

  /** HiveMQ Community Edition, embedded in a JVM of its own by {@link HiveMqServer}. */
  static final class HiveMq extends BrokerProcess {
    private final Path repoRoot;
    private final List<String> jvmOptions;

    HiveMq(Path repoRoot, List<String> jvmOptions) {
      this.repoRoot = repoRoot;
      this.jvmOptions = List.copyOf(jvmOptions);
    }

    @Override
    String name() {
      return "hivemq";
    }

    @Override
    boolean isJvm() {
      return true;
    }

    @Override
    List<String> command(int port, Path runDir) {
      Path target = repoRoot.resolve("benchmarks/target");
      List<String> command = new java.util.ArrayList<>();
      command.add(javaBinary());
      command.addAll(jvmOptions);
      command.addAll(List.of("-cp", target.resolve("classes") + ":" + target.resolve("lib") + "/*",
          HiveMqServer.class.getName(), Integer.toString(port), runDir.resolve("hivemq").toString()));
      return command;
    }
  }
}
