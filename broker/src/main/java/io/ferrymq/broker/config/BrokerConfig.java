package io.ferrymq.broker.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every broker setting, immutable. The config file, the command line and the embedding API all
 * produce one through {@link Builder}, which validates each value and names the offending setting
 * by its config-file key.
 */
public final class BrokerConfig {

  /** Session Expiry Interval meaning "never expires" [MQTT 5.0, 3.1.2.11.2]. */
  public static final long SESSION_NEVER_EXPIRES = 0xFFFFFFFFL;

  private final String host;
  private final int port;
  private final int wsPort;
  private final int tlsPort;
  private final int wssPort;
  private final Path tlsCert;
  private final Path tlsKey;
  private final Path tlsClientCa;
  private final int eventLoops;
  private final int maxPacketSize;
  private final int maxClientIdLength;
  private final int connectTimeoutSeconds;
  private final int maxKeepAliveSeconds;
  private final long maxSessionExpirySeconds;
  private final int receiveMaximum;
  private final int maxInflightMessages;
  private final int maxQueuedMessages;
  private final int topicAliasMaximum;
  private final int maxQos;
  private final boolean retainAvailable;
  private final Path dataDir;
  private final Path extensionsDir;
  private final Map<String, Map<String, Object>> extensions;

  private BrokerConfig(Builder b) {
    this.host = b.host;
    this.port = b.port;
    this.wsPort = b.wsPort;
    this.tlsPort = b.tlsPort;
    this.wssPort = b.wssPort;
    this.tlsCert = b.tlsCert;
    this.tlsKey = b.tlsKey;
    this.tlsClientCa = b.tlsClientCa;
    this.eventLoops = b.eventLoops;
    this.maxPacketSize = b.maxPacketSize;
    this.maxClientIdLength = b.maxClientIdLength;
    this.connectTimeoutSeconds = b.connectTimeoutSeconds;
    this.maxKeepAliveSeconds = b.maxKeepAliveSeconds;
    this.maxSessionExpirySeconds = b.maxSessionExpirySeconds;
    this.receiveMaximum = b.receiveMaximum;
    this.maxInflightMessages = b.maxInflightMessages;
    this.maxQueuedMessages = b.maxQueuedMessages;
    this.topicAliasMaximum = b.topicAliasMaximum;
    this.maxQos = b.maxQos;
    this.retainAvailable = b.retainAvailable;
    this.dataDir = b.dataDir;
    this.extensionsDir = b.extensionsDir;
    Map<String, Map<String, Object>> copy = new LinkedHashMap<>();
    b.extensions.forEach((k, v) -> copy.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
    this.extensions = Collections.unmodifiableMap(copy);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The address the listeners bind; 127.0.0.1 by default so that a fresh start is not an open broker. */
  public String host() {
    return host;
  }

  /** The MQTT over TCP port; 0 picks a free port. */
  public int port() {
    return port;
  }

  /** The MQTT over WebSocket port (path {@code /mqtt}); -1 disables the listener, 0 picks a free port. */
  public int wsPort() {
    return wsPort;
  }

  /** The MQTT over TLS port; -1 disables the listener, 0 picks a free port. */
  public int tlsPort() {
    return tlsPort;
  }

  /** The MQTT over secure WebSocket port (path {@code /mqtt}, tls-cert and tls-key); -1 disables it. */
  public int wssPort() {
    return wssPort;
  }

  /** The PEM file with the TLS listener's certificate chain, server certificate first; null when TLS is off. */
  public Path tlsCert() {
    return tlsCert;
  }

  /** The PEM file with the private key of {@link #tlsCert()} (PKCS#8, or PKCS#1 RSA); null when TLS is off. */
  public Path tlsKey() {
    return tlsKey;
  }

  /**
   * The PEM file of CA certificates that client certificates must chain to. When set, the TLS listener
   * requires a client certificate; null accepts clients without one.
   */
  public Path tlsClientCa() {
    return tlsClientCa;
  }

  public int eventLoops() {
    return eventLoops;
  }

  /** The largest packet the broker accepts and announces in CONNACK, in bytes. */
  public int maxPacketSize() {
    return maxPacketSize;
  }

  public int maxClientIdLength() {
    return maxClientIdLength;
  }

  /** How long a new connection may take to send CONNECT, in seconds. */
  public int connectTimeoutSeconds() {
    return connectTimeoutSeconds;
  }

  /** The largest keep-alive the broker accepts, in seconds; 0 accepts any. Larger requests get Server Keep Alive. */
  public int maxKeepAliveSeconds() {
    return maxKeepAliveSeconds;
  }

  /** The cap on a client's Session Expiry Interval, in seconds; MQTT 3.1.1 persistent sessions get it too. */
  public long maxSessionExpirySeconds() {
    return maxSessionExpirySeconds;
  }

  /** How many unacknowledged QoS 1 and 2 publishes a client may have in flight towards the broker. */
  public int receiveMaximum() {
    return receiveMaximum;
  }

  /** The cap on unacknowledged QoS 1 and 2 publishes towards one client, besides its Receive Maximum. */
  public int maxInflightMessages() {
    return maxInflightMessages;
  }

  /** The bound of one session's queue of messages waiting for an in-flight slot or a reconnect. */
  public int maxQueuedMessages() {
    return maxQueuedMessages;
  }

  public int topicAliasMaximum() {
    return topicAliasMaximum;
  }

  public int maxQos() {
    return maxQos;
  }

  public boolean retainAvailable() {
    return retainAvailable;
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path extensionsDir() {
    return extensionsDir;
  }

  /** Each extension's config section by name, {@code enabled} included. */
  public Map<String, Map<String, Object>> extensions() {
    return extensions;
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.host = host;
    b.port = port;
    b.wsPort = wsPort;
    b.tlsPort = tlsPort;
    b.wssPort = wssPort;
    b.tlsCert = tlsCert;
    b.tlsKey = tlsKey;
    b.tlsClientCa = tlsClientCa;
    b.eventLoops = eventLoops;
    b.maxPacketSize = maxPacketSize;
    b.maxClientIdLength = maxClientIdLength;
    b.connectTimeoutSeconds = connectTimeoutSeconds;
    b.maxKeepAliveSeconds = maxKeepAliveSeconds;
    b.maxSessionExpirySeconds = maxSessionExpirySeconds;
    b.receiveMaximum = receiveMaximum;
    b.maxInflightMessages = maxInflightMessages;
    b.maxQueuedMessages = maxQueuedMessages;
    b.topicAliasMaximum = topicAliasMaximum;
    b.maxQos = maxQos;
    b.retainAvailable = retainAvailable;
    b.dataDir = dataDir;
    b.extensionsDir = extensionsDir;
    extensions.forEach((k, v) -> b.extensions.put(k, new LinkedHashMap<>(v)));
    return b;
  }

  /** Collects settings; {@link #build()} validates them all. Not thread-safe. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 1883;
    private int wsPort = -1;
    private int tlsPort = -1;
    private int wssPort = -1;
    private Path tlsCert;
    private Path tlsKey;
    private Path tlsClientCa;
    private int eventLoops = 2 * Runtime.getRuntime().availableProcessors();
    private int maxPacketSize = 1024 * 1024;
    private int maxClientIdLength = 256;
    private int connectTimeoutSeconds = 10;
    private int maxKeepAliveSeconds = 0;
    private long maxSessionExpirySeconds = SESSION_NEVER_EXPIRES;
    private int receiveMaximum = 1024;
    private int maxInflightMessages = 1024;
    private int maxQueuedMessages = 1000;
    private int topicAliasMaximum = 10;
    private int maxQos = 2;
    private boolean retainAvailable = true;
    private Path dataDir = Path.of("data");
    private Path extensionsDir = Path.of("extensions");
    private final Map<String, Map<String, Object>> extensions = new LinkedHashMap<>();

    private Builder() {
    }

    public Builder host(String value) {
      this.host = value;
      return this;
    }

    public Builder port(int value) {
      this.port = value;
      return this;
    }

    public Builder wsPort(int value) {
      this.wsPort = value;
      return this;
    }

    public Builder tlsPort(int value) {
      this.tlsPort = value;
      return this;
    }

    public Builder wssPort(int value) {
      this.wssPort = value;
      return this;
    }

    public Builder tlsCert(Path value) {
      this.tlsCert = value;
      return this;
    }

    public Builder tlsKey(Path value) {
      this.tlsKey = value;
      return this;
    }

    public Builder tlsClientCa(Path value) {
      this.tlsClientCa = value;
      return this;
    }

    public Builder eventLoops(int value) {
      this.eventLoops = value;
      return this;
    }

    public Builder maxPacketSize(int value) {
      this.maxPacketSize = value;
      return this;
    }

    public Builder maxClientIdLength(int value) {
      this.maxClientIdLength = value;
      return this;
    }

    public Builder connectTimeoutSeconds(int value) {
      this.connectTimeoutSeconds = value;
      return this;
    }

    public Builder maxKeepAliveSeconds(int value) {
      this.maxKeepAliveSeconds = value;
      return this;
    }

    public Builder maxSessionExpirySeconds(long value) {
      this.maxSessionExpirySeconds = value;
      return this;
    }

    public Builder receiveMaximum(int value) {
      this.receiveMaximum = value;
      return this;
    }

    public Builder maxInflightMessages(int value) {
      this.maxInflightMessages = value;
      return this;
    }

    public Builder maxQueuedMessages(int value) {
      this.maxQueuedMessages = value;
      return this;
    }

    public Builder topicAliasMaximum(int value) {
      this.topicAliasMaximum = value;
      return this;
    }

    public Builder maxQos(int value) {
      this.maxQos = value;
      return this;
    }

    public Builder retainAvailable(boolean value) {
      this.retainAvailable = value;
      return this;
    }

    public Builder dataDir(Path value) {
      this.dataDir = value;
      return this;
    }

    public Builder extensionsDir(Path value) {
      this.extensionsDir = value;
      return this;
    }

    /** Returns a copy of one extension's section as set so far, or {@code null}. */
    public Map<String, Object> extensionSection(String name) {
      Map<String, Object> section = extensions.get(name);
      return section == null ? null : new LinkedHashMap<>(section);
    }

    /** Sets one extension's section; {@code enabled: true} in it switches the extension on. */
    public Builder extension(String name, Map<String, Object> section) {
      this.extensions.put(name, new LinkedHashMap<>(section));
      return this;
    }

    public BrokerConfig build() {
      requireNotBlank("host", host);
      requireRange("port", port, 0, 65535);
      requireRange("ws-port", wsPort, -1, 65535);
      requireRange("tls-port", tlsPort, -1, 65535);
      requireRange("wss-port", wssPort, -1, 65535);
      if (tlsPort >= 0 || wssPort >= 0) {
        requireReadable("tls-cert", tlsCert, "a PEM file with the server certificate chain");
        requireReadable("tls-key", tlsKey, "a PEM file with the certificate's private key");
      }
      if (tlsClientCa != null) {
        requireReadable("tls-client-ca", tlsClientCa, "a PEM file of the CA certificates that sign client certificates");
      }
      requireRange("event-loops", eventLoops, 1, 1024);
      // 268,435,455 bytes is the largest Remaining Length a 4-byte variable byte integer can encode.
      requireRange("max-packet-size", maxPacketSize, 64, 268_435_460);
      requireRange("max-client-id-length", maxClientIdLength, 23, 65535);
      requireRange("connect-timeout", connectTimeoutSeconds, 1, 3600);
      requireRange("max-keep-alive", maxKeepAliveSeconds, 0, 65535);
      requireRange("max-session-expiry", maxSessionExpirySeconds, 0, SESSION_NEVER_EXPIRES);
      requireRange("receive-maximum", receiveMaximum, 1, 65535);
      requireRange("max-inflight-messages", maxInflightMessages, 1, 65535);
      requireRange("max-queued-messages", maxQueuedMessages, 0, 10_000_000);
      requireRange("topic-alias-maximum", topicAliasMaximum, 0, 65535);
      requireRange("max-qos", maxQos, 0, 2);
      if (dataDir == null) {
        throw new ConfigException("data-dir is missing: set it to a writable folder, for example ./data");
      }
      if (extensionsDir == null) {
        throw new ConfigException("extensions-dir is missing: set it to a folder of extension jars, for example ./extensions");
      }
      return new BrokerConfig(this);
    }

    private static void requireNotBlank(String key, String value) {
      if (value == null || value.isBlank()) {
        throw new ConfigException(key + " is empty: set it to an address to bind, for example 127.0.0.1 or 0.0.0.0");
      }
    }

    private static void requireReadable(String key, Path file, String expected) {
      if (file == null) {
        throw new ConfigException(key + " is missing: tls-port or wss-port is set, so set " + key + " to " + expected);
      }
      if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
        throw new ConfigException(key + " is " + file + ", which is not a readable file: set it to " + expected);
      }
    }

    private static void requireRange(String key, long value, long min, long max) {
      if (value < min || value > max) {
        throw new ConfigException(key + " is " + value + ": set it to a value from " + min + " to " + max);
      }
    }
  }
}
