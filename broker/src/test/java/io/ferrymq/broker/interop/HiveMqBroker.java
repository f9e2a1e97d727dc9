package io.ferrymq.broker.interop;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * HiveMQ Community Edition started in this JVM on a free loopback port, as the reference broker of
 * the differential tests. It keeps its state in memory and sends no usage statistics.
 *
 * <p>An embedded allow-all authenticator accepts every client. The HiveMQ CE distribution ships an
 * allow-all extension for that purpose, while the embedded 2025.5 accepted a CONNECT without any
 * authenticator too. The explicit one keeps the tests independent of that default.
 */
final class HiveMqBroker implements AutoCloseable {

  private final Path home;
  private final int port;
  private final EmbeddedHiveMQ hivemq;

  private HiveMqBroker(Path home, int port, EmbeddedHiveMQ hivemq) {
    this.home = home;
    this.port = port;
    this.hivemq = hivemq;
  }

  static HiveMqBroker start() throws IOException, InterruptedException, ExecutionException, TimeoutException {
    Path home = Files.createTempDirectory("hivemq-ce-");
    Path config = Files.createDirectories(home.resolve("conf"));
    Path data = Files.createDirectories(home.resolve("data"));
    Path extensions = Files.createDirectories(home.resolve("extensions"));
    int port = freePort();
    Files.writeString(config.resolve("config.xml"), configXml(port));

    EmbeddedExtension allowAll = EmbeddedExtension.builder()
        .withId("allow-all")
        .withName("Allow all clients")
        .withVersion("1.0")
        .withPriority(0)
        .withStartPriority(1000)
        .withExtensionMain(new AllowAllExtension())
        .build();
    EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
        .withConfigurationFolder(config)
        .withDataFolder(data)
        .withExtensionsFolder(extensions)
        .withEmbeddedExtension(allowAll)
        .withoutLoggingBootstrap()
        .build();
    try {
      hivemq.start().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      hivemq.close();
      deleteRecursively(home);
      throw e;
    }
    return new HiveMqBroker(home, port, hivemq);
  }

  private static String configXml(int port) {
    return """
        <?xml version="1.0"?>
        <hivemq>
            <listeners>
                <tcp-listener>
                    <port>%d</port>
                    <bind-address>127.0.0.1</bind-address>
                </tcp-listener>
            </listeners>
            <persistence>
                <mode>in-memory</mode>
            </persistence>
            <anonymous-usage-statistics>
                <enabled>false</enabled>
            </anonymous-usage-statistics>
        </hivemq>
        """.formatted(port);
  }

  // NOTE: the port is free when probed and could be taken before HiveMQ binds it, because HiveMQ's
  // embedded API cannot bind port 0 and report the port it got.
  private static int freePort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0)) {
      return probe.getLocalPort();
    }
  }

  int port() {
    return port;
  }

  /** Stops HiveMQ and deletes its folders. An interrupt stays set on the thread and fails the call. */
  @Override
  public void close() throws IOException, ExecutionException, TimeoutException {
    try {
      hivemq.stop().get(60, TimeUnit.SECONDS);
      hivemq.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping HiveMQ", e);
    } finally {
      deleteRecursively(home);
    }
  }

  private static void deleteRecursively(Path folder) throws IOException {
    try (Stream<Path> files = Files.walk(folder)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** Registers an authenticator that accepts every CONNECT. */
  private static final class AllowAllExtension implements ExtensionMain {

    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
      SimpleAuthenticator allowAll = (authInput, authOutput) -> authOutput.authenticateSuccessfully();
      Services.securityRegistry().setAuthenticatorProvider(providerInput -> allowAll);
    }

    @Override
    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
    }
  }
}
