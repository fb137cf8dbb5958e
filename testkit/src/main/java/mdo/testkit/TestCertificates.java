package mdo.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import okhttp3.tls.HeldCertificate;

/**
 * Certificates made for one test, as PEM files in a folder: a CA, a server certificate for {@code 127.0.0.1} and
 * {@code localhost} and a client certificate, both signed by the CA. Keys are PKCS#8, which etcd, Netty and OkHttp read.
 */
public record TestCertificates(Path ca, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {
  public static TestCertificates create(Path dir) {
    HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).commonName("mdo test CA").build();
    HeldCertificate server = new HeldCertificate.Builder().commonName("etcd")
        .addSubjectAlternativeName("127.0.0.1").addSubjectAlternativeName("localhost").signedBy(ca).build();
    HeldCertificate client = new HeldCertificate.Builder().commonName("mdo-subscriber").signedBy(ca).build();
    return new TestCertificates(write(dir, "ca.pem", ca.certificatePem()),
        write(dir, "server.pem", server.certificatePem()), write(dir, "server.key", server.privateKeyPkcs8Pem()),
        write(dir, "client.pem", client.certificatePem()), write(dir, "client.key", client.privateKeyPkcs8Pem()));
  }

  /** TLS settings for an {@link EtcdServer} presenting the server certificate and requiring a client certificate. */
  public EtcdServer.Tls etcdWithClientCertificates() {
    return new EtcdServer.Tls(serverCert, serverKey, ca);
  }

  private static Path write(Path dir, String name, String pem) {
    try {
      return Files.writeString(dir.resolve(name), pem);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
