package io.ferrymq.broker.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.broker.testing.TestBroker;
import io.ferrymq.broker.testing.V5Client;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ExtensionsFolderTest {

  @TempDir
  Path dir;

  @Test
  void jarInExtensionsFolderIsFoundAndConfigured() throws Exception {
    Path jar = dir.resolve("folder-extension.jar");
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out)) {
      zip.putNextEntry(new JarEntry("META-INF/services/io.ferrymq.spi.Extension"));
      zip.write((FolderExtension.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    try (TestBroker broker = TestBroker.start(b -> b.extensionsDir(dir)
        .extension("folder-extension", Map.of("enabled", true, "greeting", "welcome")));
         V5Client watcher = V5Client.connect(broker, "watcher")) {
      watcher.client.subscribe("hello/#", 0);
      try (V5Client device = V5Client.connect(broker, "dev-7")) {
        V5Client.Received r = watcher.next();
        assertThat(r.topic()).isEqualTo("hello/dev-7");
        assertThat(r.text()).isEqualTo("welcome");
      }
    }
  }
}
