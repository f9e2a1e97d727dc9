package io.ferrymq.broker.interop;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * Runs Debian's {@code mosquitto_pub} and {@code mosquitto_sub} (package mosquitto-clients, tested
 * with 2.0.11) as child processes against a broker on 127.0.0.1.
 *
 * <p>The clients run under coreutils' {@code stdbuf -oL}: on a pipe their stdout is block-buffered,
 * and the debug line that reports the SUBACK would otherwise arrive only with the first message.
 */
final class MosquittoClients {

  /** The prefix of the {@code -F} output format, which separates message lines from {@code -d} debug lines. */
  static final String MESSAGE_PREFIX = "MSG|";
  private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(15);

  private MosquittoClients() {
  }

  /** Fails, with the install command, when the clients or {@code stdbuf} are not on the PATH. */
  static void requireInstalled() {
    for (String program : List.of("mosquitto_pub", "mosquitto_sub")) {
      if (findOnPath(program) == null) {
        throw new AssertionError(program + " not found on PATH. The interop tests need Debian's "
            + "mosquitto-clients package: apt-get install mosquitto-clients");
      }
    }
    if (findOnPath("stdbuf") == null) {
      throw new AssertionError("stdbuf not found on PATH. It comes with Debian's coreutils package.");
    }
  }

  private static Path findOnPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /** The exit code and the merged stdout and stderr lines of a finished client. */
  record Result(int exitCode, List<String> output) {

    /** Returns the lines of {@code -F} output, without {@link #MESSAGE_PREFIX}. */
    List<String> messages() {
      return output.stream()
          .filter(line -> line.startsWith(MESSAGE_PREFIX))
          .map(line -> line.substring(MESSAGE_PREFIX.length()))
          .toList();
    }

    boolean printed(String fragment) {
      return output.stream().anyMatch(line -> line.contains(fragment));
    }
  }

  /** Runs {@code mosquitto_pub} with debug output and waits up to 15 s for it to exit. */
  static Result publish(int port, String... args) throws IOException, InterruptedException {
    return run("mosquitto_pub", port, args);
  }

  /** Runs {@code mosquitto_sub}, whose {@code args} must end it (for example {@code -C} or {@code -E}), and waits for it. */
  static Result subscribeAndWait(int port, String... args) throws IOException, InterruptedException {
    return run("mosquitto_sub", port, args);
  }

  private static Result run(String program, int port, String... args) throws IOException, InterruptedException {
    try (Client client = Client.start(program, port, args)) {
      int exitCode = client.awaitExit();
      return new Result(exitCode, List.copyOf(client.output));
    }
  }

  /** Starts {@code mosquitto_sub} with debug output and returns without waiting. */
  static Client startSubscriber(int port, String... args) throws IOException {
    return Client.start("mosquitto_sub", port, args);
  }

  /**
   * A running client process. A daemon thread reads its output: every line goes to {@link #output},
   * and message lines (those with {@link #MESSAGE_PREFIX}) also go to a queue for the test thread.
   */
  static final class Client implements AutoCloseable {

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final Thread reader;

    private Client(Process process) {
      this.process = process;
      this.reader = new Thread(this::readOutput, "mosquitto-client-output-" + process.pid());
      reader.setDaemon(true);
      reader.start();
    }

    private static Client start(String program, int port, String... args) throws IOException {
      List<String> command = new ArrayList<>(List.of("stdbuf", "-oL", program, "-d", "-h", "127.0.0.1",
          "-p", Integer.toString(port)));
      command.addAll(Arrays.asList(args));
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      return new Client(process);
    }

    private void readOutput() {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          output.add(line);
          if (line.startsWith(MESSAGE_PREFIX)) {
            messages.add(line.substring(MESSAGE_PREFIX.length()));
          }
        }
      } catch (IOException e) {
        output.add("(reading the client's output failed: " + e + ")");
      }
    }

    /**
     * Waits up to 10 s for the line that {@code mosquitto_sub} prints on SUBACK, and returns the
     * granted QoS or reason codes listed in it.
     */
    List<Integer> awaitSubscribed() {
      String marker = "Subscribed (mid: ";
      Awaitility.await("SUBACK reported by " + describe())
          .atMost(Duration.ofSeconds(10))
          .until(() -> output.stream().anyMatch(line -> line.startsWith(marker)) || !process.isAlive());
      String line = output.stream().filter(l -> l.startsWith(marker)).findFirst()
          .orElseThrow(() -> new AssertionError("mosquitto_sub exited before its SUBACK: " + describe()));
      List<Integer> codes = new ArrayList<>();
      for (String code : line.substring(line.indexOf("): ") + 3).split(",")) {
        codes.add(Integer.parseInt(code.trim()));
      }
      return codes;
    }

    /** Returns the next message line, without {@link #MESSAGE_PREFIX}, waiting up to 10 s. */
    String nextMessage() throws InterruptedException {
      String message = messages.poll(10, TimeUnit.SECONDS);
      if (message == null) {
        throw new AssertionError("no message within 10 s at " + describe());
      }
      return message;
    }

    /** Proves with Awaitility that no message line appears within {@code window}. */
    void assertNoMessageWithin(Duration window) {
      Awaitility.await("no message at " + describe())
          .during(window)
          .atMost(window.plusSeconds(2))
          .until(messages::isEmpty);
    }

    /**
     * Sends SIGKILL to the client by its pid, so it gets no chance to send DISCONNECT. The pid is
     * the client's own, because stdbuf replaces itself with the client program.
     */
    void kill() throws IOException, InterruptedException {
      Process kill = new ProcessBuilder("kill", "-KILL", Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new AssertionError("kill -KILL " + process.pid() + " failed");
      }
    }

    /** Waits up to 15 s for the process to exit and returns its exit code. */
    int awaitExit() throws InterruptedException {
      if (!process.waitFor(PROCESS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("the client did not exit within " + PROCESS_TIMEOUT.toSeconds() + " s: " + describe());
      }
      // The reader thread ends at the end of the output, so joining it collects every line.
      reader.join(TimeUnit.SECONDS.toMillis(5));
      return process.exitValue();
    }

    List<String> output() {
      return List.copyOf(output);
    }

    private String describe() {
      return "pid " + process.pid() + ", output " + output;
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroy();
      }
    }
  }
}
