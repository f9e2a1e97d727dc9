package io.ferrymq.broker;

import io.ferrymq.broker.config.BrokerConfig;
import io.ferrymq.broker.config.ConfigException;
import io.ferrymq.broker.config.ConfigFile;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The launcher behind {@code bin/ferrymq}: reads the config file, applies the command-line flags
 * over it, runs the broker in the foreground and stops it gracefully on SIGTERM or Ctrl-C.
 */
@Command(name = "ferrymq", mixinStandardHelpOptions = true, version = "FerryMQ 0.1.0",
    description = "Runs the FerryMQ MQTT 3.1.1 and 5.0 broker in the foreground. Flags override the config file.",
    sortOptions = false)
public final class Main implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", description = "YAML config file; see docs/configuration.md. Default: none.")
  Path config;

  @Option(names = "--host", paramLabel = "ADDRESS", description = "Address to bind. Default: 127.0.0.1 (local clients only).")
  String host;

  @Option(names = "--port", paramLabel = "N", description = "MQTT over TCP port. Default: 1883.")
  Integer port;

  @Option(names = "--ws-port", paramLabel = "N",
      description = "MQTT over WebSocket port (path /mqtt); -1 turns it off. Default: 8083.")
  Integer wsPort;

  @Option(names = "--tls-port", paramLabel = "N",
      description = "MQTT over TLS port; needs --tls-cert and --tls-key. Default: off (8883 is the usual port).")
  Integer tlsPort;

  @Option(names = "--wss-port", paramLabel = "N",
      description = "MQTT over secure WebSocket port (path /mqtt); needs --tls-cert and --tls-key. Default: off.")
  Integer wssPort;

  @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate chain of the TLS listener, server certificate first.")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key of --tls-cert.")
  Path tlsKey;

  @Option(names = "--tls-client-ca", paramLabel = "FILE",
      description = "PEM CA certificates; when set, TLS clients must present a certificate signed by one of them.")
  Path tlsClientCa;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Folder for extension data. Default: ./data.")
  Path dataDir;

  @Option(names = "--extensions-dir", paramLabel = "DIR", description = "Folder of extension jars. Default: ./extensions.")
  Path extensionsDir;

  @Option(names = "--event-loops", paramLabel = "N", description = "Event loop threads. Default: 2 per CPU core.")
  Integer eventLoops;

  @Option(names = "--max-packet-size", paramLabel = "BYTES", description = "Largest packet accepted, in bytes. Default: 1048576.")
  Integer maxPacketSize;

  @Option(names = "--metrics-port", paramLabel = "N",
      description = "HTTP port of the Prometheus endpoint /metrics, when the metrics extension is installed. Default: 9400.")
  Integer metricsPort;

  /**
   * Extensions shipped with FerryMQ that the launcher switches on when they are installed, unless the
   * config file sets {@code enabled: false} for them.
   */
  static final java.util.List<String> ON_BY_DEFAULT = java.util.List.of("persistence", "dedup", "backpressure", "metrics");

  public static void main(String[] args) {
    int code = new CommandLine(new Main()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    BrokerConfig settings;
    try {
      settings = settings();
    } catch (ConfigException e) {
      System.err.println("ferrymq: invalid configuration: " + e.getMessage());
      return 2;
    }
    FerryBroker broker;
    try {
      broker = FerryBroker.builder().config(settings).start();
    } catch (ConfigException e) {
      System.err.println("ferrymq: invalid configuration: " + e.getMessage());
      return 2;
    } catch (IllegalStateException e) {
      System.err.println("ferrymq: could not start: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      broker.stop();
      stopped.countDown();
    }, "ferrymq-shutdown"));
    stopped.await();
    return 0;
  }

  /** Adds {@code enabled: true} to the section of each installed extension of {@link #ON_BY_DEFAULT}. */
  private static void enableInstalledExtensions(BrokerConfig.Builder builder) {
    java.util.Set<String> installed = new java.util.HashSet<>();
    for (io.ferrymq.spi.Extension e : java.util.ServiceLoader.load(io.ferrymq.spi.Extension.class)) {
      installed.add(e.name());
    }
    for (String name : ON_BY_DEFAULT) {
      if (!installed.contains(name)) {
        continue;
      }
      java.util.Map<String, Object> section = builder.extensionSection(name);
      if (section == null) {
        section = new java.util.LinkedHashMap<>();
      }
      section.putIfAbsent("enabled", Boolean.TRUE);
      builder.extension(name, section);
    }
  }

  private BrokerConfig settings() {
    BrokerConfig.Builder builder = BrokerConfig.builder().wsPort(8083);
    if (config != null) {
      ConfigFile.apply(config, builder);
    }
    if (host != null) {
      builder.host(host);
    }
    if (port != null) {
      builder.port(port);
    }
    if (wsPort != null) {
      builder.wsPort(wsPort);
    }
    if (tlsPort != null) {
      builder.tlsPort(tlsPort);
    }
    if (wssPort != null) {
      builder.wssPort(wssPort);
    }
    if (tlsCert != null) {
      builder.tlsCert(tlsCert);
    }
    if (tlsKey != null) {
      builder.tlsKey(tlsKey);
    }
    if (tlsClientCa != null) {
      builder.tlsClientCa(tlsClientCa);
    }
    if (dataDir != null) {
      builder.dataDir(dataDir);
    }
    if (extensionsDir != null) {
      builder.extensionsDir(extensionsDir);
    }
    if (eventLoops != null) {
      builder.eventLoops(eventLoops);
    }
    if (maxPacketSize != null) {
      builder.maxPacketSize(maxPacketSize);
    }
    enableInstalledExtensions(builder);

    if (metricsPort != null) {
      java.util.Map<String, Object> metrics = builder.extensionSection("metrics");
      if (metrics == null) {
        throw new ConfigException("--metrics-port needs the metrics extension, which is not installed");
      }
      metrics.put("port", metricsPort);
      builder.extension("metrics", metrics);
    }

    BrokerConfig built = builder.build();
    java.util.Map<String, Object> metrics = builder.extensionSection("metrics");
    if (metrics != null && !metrics.containsKey("host")) {
      // The metrics endpoint binds like the MQTT listener unless its own section sets a host.
      metrics.put("host", built.host());
      builder.extension("metrics", metrics);
      built = builder.build();
    }
    return built;
  }
}
