package io.ferrymq.bench.load;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts HiveMQ Community Edition, embedded from its Maven artifact, as the only broker in this JVM:
 * {@code HiveMqServer PORT HOME}. It listens on 127.0.0.1:PORT, keeps its state in memory, keeps its
 * configuration and data under HOME, sends no usage statistics and accepts every client. It stops on
 * SIGTERM.
 */
public final class HiveMqServer {

  private HiveMqServer() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: HiveMqServer PORT HOME_FOLDER");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    Path home = Path.of(args[1]);
    Path config = Files.createDirectories(home.resolve("conf"));
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
        .withDataFolder(Files.createDirectories(home.resolve("data")))
        .withExtensionsFolder(Files.createDirectories(home.resolve("extensions")))
        .withEmbeddedExtension(allowAll)
        .build();
    hivemq.start().get(120, TimeUnit.SECONDS);
    System.out.println("HiveMqServer: listening on 127.0.0.1:" + port);

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        hivemq.stop().get(30, TimeUnit.SECONDS);
        hivemq.close();
      } catch (Exception e) {
        System.err.println("HiveMqServer: stop failed: " + e);
      } finally {
        stopped.countDown();
      }
    }, "hivemq-shutdown"));
    stopped.await();
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

  /** Registers an authenticator that accepts every CONNECT, which HiveMQ's distribution does with an extension. */
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
