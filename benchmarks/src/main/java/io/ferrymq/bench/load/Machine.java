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

  static String describe(Path mosquittoBinary) {
    return String.join("\n",
        "Machine: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs (nproc), "
            + memTotal() + " memory, Linux " + System.getProperty("os.version"),
        "Java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
            + " (the load generator and FerryMQ use the same JVM)",
        "Mosquitto: " + mosquittoVersion(mosquittoBinary));
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
