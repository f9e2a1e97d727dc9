package io.ferrymq.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The facts about this machine that belong next to every absolute figure. */
final class Machine {

  private Machine() {
  }

  static String describe(Path mosquittoBinary, String heap) {
    return String.join("\n",
        "- Machine: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs (nproc), "
            + memTotal() + " memory, Linux " + System.getProperty("os.version"),
        "- Java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
            + ", for the load generator, FerryMQ and HiveMQ CE; JVM brokers run with -Xmx" + heap
            + " and otherwise default JVM options",
        "- Mosquitto: " + mosquittoVersion(mosquittoBinary),
        "- HiveMQ CE: " + hivemqVersion() + ", embedded (com.hivemq:hivemq-community-edition-embedded)");
  }

  /** Returns a one-line summary for the README: CPUs, memory and JDK. */
  static String shortDescription() {
    return Runtime.getRuntime().availableProcessors() + " CPUs, " + memTotal() + ", JDK "
        + System.getProperty("java.runtime.version");
  }

  /** Returns the 1, 5 and 15 minute load averages of {@code /proc/loadavg}. */
  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + " / " + fields[1] + " / " + fields[2];
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  /** Returns the short commit id of {@code repoRoot}, marked when the working tree has changes. */
  static String commit(Path repoRoot) {
    String id = git(repoRoot, "rev-parse", "--short", "HEAD");
    String changes = git(repoRoot, "status", "--porcelain", "--untracked-files=no");
    return id.isEmpty() ? "unknown" : id + (changes.isEmpty() ? "" : " with uncommitted changes");
  }

  private static String git(Path repoRoot, String... arguments) {
    java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("git", "-C", repoRoot.toString()));
    command.addAll(java.util.List.of(arguments));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0 ? text : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** Returns the version of the HiveMQ CE jar on this classpath, from its manifest. */
  private static String hivemqVersion() {
    Package hivemq = com.hivemq.embedded.EmbeddedHiveMQ.class.getPackage();
    String version = hivemq == null ? null : hivemq.getImplementationVersion();
    if (version != null) {
      return version;
    }
    String location = com.hivemq.embedded.EmbeddedHiveMQ.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    return location.substring(location.lastIndexOf('/') + 1);
  }

  private static String cpuModel() {
    return procLine(Path.of("/proc/cpuinfo"), "model name");
  }

  private static String memTotal() {
    String kib = procLine(Path.of("/proc/meminfo"), "MemTotal").replace("kB", "").trim();
    try {
      return String.format(java.util.Locale.ROOT, "%.1f GiB", Long.parseLong(kib) / 1024.0 / 1024.0);
    } catch (NumberFormatException e) {
      return kib;
    }
  }

  private static String procLine(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
    return "unknown";
  }

  /** Returns the first line of {@code mosquitto -h}, which names the version. */
  private static String mosquittoVersion(Path binary) {
    try {
      Process process = new ProcessBuilder(binary.toString(), "-h").redirectErrorStream(true).start();
      String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      process.waitFor(5, TimeUnit.SECONDS);
      return text.lines().findFirst().orElse("unknown").trim();
    } catch (IOException e) {
      return "not found at " + binary;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
