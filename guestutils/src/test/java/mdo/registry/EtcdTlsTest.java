package mdo.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.Client;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import mdo.testkit.EtcdServer;
import mdo.testkit.TestCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's etcd with TLS, for real: certificates made in the test (a CA, a server certificate for 127.0.0.1 and
 * localhost, a client certificate), client-certificate auth, several https endpoints.
 */
class EtcdTlsTest {
  @TempDir Path dir;
  Path caFile;
  Path clientCert;
  Path clientKey;
  EtcdServer etcd;

  @BeforeEach
  void certificates() {
    TestCertificates certificates = TestCertificates.create(dir);
    caFile = certificates.ca();
    clientCert = certificates.clientCert();
    clientKey = certificates.clientKey();
    etcd = EtcdServer.startTls(certificates.etcdWithClientCertificates());
  }

  @AfterEach
  void stop() {
    etcd.close();
  }

  private Path write(String name, String pem) throws Exception {
    return Files.writeString(dir.resolve(name), pem);
  }

  private static void roundTrip(Client client, String key) throws Exception {
    client.getKVClient().put(Etcd.bytes(key), Etcd.bytes("v-" + key)).get(10, TimeUnit.SECONDS);
    assertThat(client.getKVClient().get(Etcd.bytes(key)).get(10, TimeUnit.SECONDS).getKvs())
        .extracting(kv -> kv.getValue().toString()).containsExactly("v-" + key);
  }

  @Test
  void aClientCertificateOpensAnEtcdThatRequiresOne() throws Exception {
    EtcdSettings settings = new EtcdSettings(List.of(URI.create(etcd.endpoint())), null, null, caFile, clientCert,
        clientKey);
    try (Client client = Etcd.client(settings)) {
      roundTrip(client, "/tls/one");
    }
  }

  @Test
  void withoutTheClientCertificateEtcdRefuses() throws Exception {
    EtcdSettings settings = new EtcdSettings(List.of(URI.create(etcd.endpoint())), null, null, caFile, null, null);
    try (Client client = Etcd.client(settings)) {
      assertThatThrownBy(() -> client.getKVClient().put(Etcd.bytes("/tls/x"), Etcd.bytes("x")).get(3, TimeUnit.SECONDS))
          .isInstanceOfAny(ExecutionException.class, TimeoutException.class);
    }
    try (Client client = Etcd.client(new EtcdSettings(List.of(URI.create(etcd.endpoint())), null, null, caFile,
        clientCert, clientKey))) {
      assertThat(client.getKVClient().get(Etcd.bytes("/tls/x")).get(10, TimeUnit.SECONDS).getKvs()).isEmpty();
    }
  }

  @Test
  void anEndpointWhoseNameTheCertificateLacksIsRefused() throws Exception {
    HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).build();
    HeldCertificate ipOnly = new HeldCertificate.Builder().addSubjectAlternativeName("127.0.0.1").signedBy(ca).build();
    Path otherCa = write("other-ca.pem", ca.certificatePem());
    try (EtcdServer other = EtcdServer.startTls(new EtcdServer.Tls(write("ip.pem", ipOnly.certificatePem()),
        write("ip.key", ipOnly.privateKeyPkcs8Pem()), null))) {
      URI byName = URI.create(other.endpoints().get(1));
      assertThat(byName.getHost()).isEqualTo("localhost");
      try (Client client = Etcd.client(new EtcdSettings(List.of(byName), null, null, otherCa, null, null))) {
        assertThatThrownBy(() -> client.getKVClient().put(Etcd.bytes("/tls/y"), Etcd.bytes("y")).get(3, TimeUnit.SECONDS))
            .isInstanceOfAny(ExecutionException.class, TimeoutException.class);
      }
      try (Client client = Etcd.client(new EtcdSettings(List.of(URI.create(other.endpoint())), null, null, otherCa,
          null, null))) {
        roundTrip(client, "/tls/by-ip");
        assertThat(client.getKVClient().get(Etcd.bytes("/tls/y")).get(10, TimeUnit.SECONDS).getKvs())
            .as("the put to the wrongly named endpoint never arrived").isEmpty();
      }
    }
  }

  @Test
  void severalHttpsEndpointsEachVerifiedAgainstItsOwnName() throws Exception {
    List<URI> endpoints = etcd.endpoints().stream().map(URI::create).toList();
    assertThat(endpoints).hasSize(2);
    EtcdSettings settings = new EtcdSettings(endpoints, null, null, caFile, clientCert, clientKey);
    try (Client client = Etcd.client(settings)) {
      for (int i = 0; i < 5; i++) roundTrip(client, "/tls/many/" + i);
    }
  }
}
