package io.ferrymq.broker.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the YAML config file onto a {@link BrokerConfig.Builder}. Keys are the kebab-case names
 * that {@code --help} and the docs use; an unknown key or a value of the wrong type is an error
 * that names the key, so a typo never passes silently.
 */
public final class ConfigFile {

  private static final Map<String, BiConsumer<BrokerConfig.Builder, Object>> SETTINGS = new LinkedHashMap<>();

  static {
    SETTINGS.put("host", (b, v) -> b.host(text("host", v)));
    SETTINGS.put("port", (b, v) -> b.port(integer("port", v)));
    SETTINGS.put("ws-port", (b, v) -> b.wsPort(integer("ws-port", v)));
    SETTINGS.put("tls-port", (b, v) -> b.tlsPort(integer("tls-port", v)));
    SETTINGS.put("wss-port", (b, v) -> b.wssPort(integer("wss-port", v)));
    SETTINGS.put("tls-cert", (b, v) -> b.tlsCert(Path.of(text("tls-cert", v))));
    SETTINGS.put("tls-key", (b, v) -> b.tlsKey(Path.of(text("tls-key", v))));
    SETTINGS.put("tls-client-ca", (b, v) -> b.tlsClientCa(Path.of(text("tls-client-ca", v))));
    SETTINGS.put("event-loops", (b, v) -> b.eventLoops(integer("event-loops", v)));
    SETTINGS.put("max-packet-size", (b, v) -> b.maxPacketSize(integer("max-packet-size", v)));
    SETTINGS.put("max-client-id-length", (b, v) -> b.maxClientIdLength(integer("max-client-id-length", v)));
    SETTINGS.put("connect-timeout", (b, v) -> b.connectTimeoutSeconds(integer("connect-timeout", v)));
    SETTINGS.put("max-keep-alive", (b, v) -> b.maxKeepAliveSeconds(integer("max-keep-alive", v)));
    SETTINGS.put("max-session-expiry", (b, v) -> b.maxSessionExpirySeconds(longValue("max-session-expiry", v)));
    SETTINGS.put("receive-maximum", (b, v) -> b.receiveMaximum(integer("receive-maximum", v)));
    SETTINGS.put("max-inflight-messages", (b, v) -> b.maxInflightMessages(integer("max-inflight-messages", v)));
    SETTINGS.put("max-queued-messages", (b, v) -> b.maxQueuedMessages(integer("max-queued-messages", v)));
    SETTINGS.put("topic-alias-maximum", (b, v) -> b.topicAliasMaximum(integer("topic-alias-maximum", v)));
    SETTINGS.put("max-qos", (b, v) -> b.maxQos(integer("max-qos", v)));
    SETTINGS.put("retain-available", (b, v) -> b.retainAvailable(bool("retain-available", v)));
    SETTINGS.put("data-dir", (b, v) -> b.dataDir(Path.of(text("data-dir", v))));
    SETTINGS.put("extensions-dir", (b, v) -> b.extensionsDir(Path.of(text("extensions-dir", v))));
    SETTINGS.put("extensions", ConfigFile::applyExtensions);
  }

  private ConfigFile() {
  }

  /** Reads {@code file} onto {@code builder}; values in the file replace the builder's. */
  public static void apply(Path file, BrokerConfig.Builder builder) {
    Map<String, Object> root = parse(file);
    for (Map.Entry<String, Object> entry : root.entrySet()) {
      BiConsumer<BrokerConfig.Builder, Object> setter = SETTINGS.get(entry.getKey());
      if (setter == null) {
        throw new ConfigException(file + ": unknown setting '" + entry.getKey() + "'; known settings are "
            + String.join(", ", SETTINGS.keySet()));
      }
      setter.accept(builder, entry.getValue());
    }
  }

  private static Map<String, Object> parse(Path file) {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
      if (loaded == null) {
        return Map.of();
      }
      if (!(loaded instanceof Map<?, ?> map)) {
        throw new ConfigException(file + ": the top level must be a mapping of setting: value lines");
      }
      return stringKeys(file.toString(), map);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + file + " not found: check the --config path");
    } catch (IOException e) {
      throw new ConfigException("config file " + file + " could not be read: " + e.getMessage(), e);
    } catch (YAMLException e) {
      throw new ConfigException("config file " + file + " is not valid YAML: " + e.getMessage(), e);
    }
  }

  private static void applyExtensions(BrokerConfig.Builder builder, Object value) {
    if (value == null) {
      return;
    }
    if (!(value instanceof Map<?, ?> sections)) {
      throw new ConfigException("extensions must be a mapping of extension name to its settings, for example "
          + "'extensions: {metrics: {enabled: true}}'");
    }
    for (Map.Entry<String, Object> e : stringKeys("extensions", sections).entrySet()) {
      Object section = e.getValue();
      if (section == null) {
        builder.extension(e.getKey(), Map.of());
      } else if (section instanceof Map<?, ?> m) {
        builder.extension(e.getKey(), stringKeys("extensions." + e.getKey(), m));
      } else {
        throw new ConfigException("extensions." + e.getKey() + " must be a mapping of settings, for example "
            + "'{enabled: true}'");
      }
    }
  }

  private static Map<String, Object> stringKeys(String where, Map<?, ?> map) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        throw new ConfigException(where + ": key " + e.getKey() + " must be a text key");
      }
      out.put(key, e.getValue());
    }
    return out;
  }

  private static String text(String key, Object value) {
    if (value instanceof String s) {
      return s;
    }
    throw new ConfigException(key + " must be text, got " + value);
  }

  private static int integer(String key, Object value) {
    if (value instanceof Integer i) {
      return i;
    }
    throw new ConfigException(key + " must be a whole number, got " + value + "; see docs/configuration.md for its range");
  }

  private static long longValue(String key, Object value) {
    if (value instanceof Integer i) {
      return i;
    }
    if (value instanceof Long l) {
      return l;
    }
    throw new ConfigException(key + " must be a whole number, got " + value);
  }

  private static boolean bool(String key, Object value) {
    if (value instanceof Boolean b) {
      return b;
    }
    throw new ConfigException(key + " must be true or false, got " + value);
  }
}
