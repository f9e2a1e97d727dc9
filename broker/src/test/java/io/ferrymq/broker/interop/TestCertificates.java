package io.ferrymq.broker.interop;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A test CA with a server certificate for 127.0.0.1 and a client certificate, all made by the
 * {@code openssl} command (Debian's openssl package, tested with 3.0) in a folder of the test.
 */
final class TestCertificates {

  private static final char[] PASSWORD = "test-only".toCharArray();

  final Path caCert;
  final Path serverCert;
  final Path serverKey;
  final Path clientCert;
  final Path clientKey;
  final Path clientPkcs12;

  private TestCertificates(Path dir) {
    this.caCert = dir.resolve("ca.pem");
    this.serverCert = dir.resolve("server.pem");
    this.serverKey = dir.resolve("server.key");
    this.clientCert = dir.resolve("client.pem");
    this.clientKey = dir.resolve("client.key");
    this.clientPkcs12 = dir.resolve("client.p12");
  }

  /** Makes the CA, the server certificate and the client certificate in {@code dir}. */
  static TestCertificates create(Path dir) throws IOException, InterruptedException {
    TestCertificates certs = new TestCertificates(dir);
    Path caKey = dir.resolve("ca.key");
    openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=FerryMQ test CA",
        "-keyout", caKey.toString(), "-out", certs.caCert.toString());

    Path serverExt = Files.writeString(dir.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    certs.signed(dir, caKey, "server", "/CN=localhost", serverExt, certs.serverKey, certs.serverCert);
    Path clientExt = Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
    certs.signed(dir, caKey, "client", "/CN=device-1", clientExt, certs.clientKey, certs.clientCert);
    openssl(dir, "pkcs12", "-export", "-inkey", certs.clientKey.toString(), "-in", certs.clientCert.toString(),
        "-out", certs.clientPkcs12.toString(), "-passout", "pass:" + new String(PASSWORD));
    return certs;
  }

  private void signed(Path dir, Path caKey, String name, String subject, Path extensions, Path key, Path cert)
      throws IOException, InterruptedException {
    Path request = dir.resolve(name + ".csr");
    openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", key.toString(),
        "-out", request.toString());
    openssl(dir, "x509", "-req", "-in", request.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
        "-CAcreateserial", "-days", "2", "-extfile", extensions.toString(), "-out", cert.toString());
  }

  /** Returns a socket factory that trusts the test CA and, when {@code withClientCert}, presents the client certificate. */
  SSLSocketFactory socketFactory(boolean withClientCert) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(caCert)) {
      Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
      trust.setCertificateEntry("ferrymq-test-ca", ca);
    }
    TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);

    KeyManagerFactory keyManagers = null;
    if (withClientCert) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(clientPkcs12)) {
        keys.load(in, PASSWORD);
      }
      keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, PASSWORD);
    }

    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers == null ? null : keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
    return context.getSocketFactory();
  }

  private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + output);
    }
  }
}
