package mdo.registry;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Builds jetcd clients from {@link EtcdSettings}. Building does no I/O; the first request connects.
 *
 * <p>No {@code authority} is set, on purpose: jetcd's resolver then gives every endpoint its own {@code host:port} as
 * the TLS name, so each etcd member's certificate is checked against the name it was reached by. One authority for
 * several endpoints would check them all against one name (EtcdTlsTest covers both).
 */
public final class Etcd {
  private Etcd() {}

  public static Client client(EtcdSettings settings) {
    ClientBuilder builder = Client.builder()
        .endpoints(settings.endpoints().toArray(java.net.URI[]::new))
        .connectTimeout(Duration.ofSeconds(3))
        .keepaliveTime(Duration.ofSeconds(30))
        .keepaliveTimeout(Duration.ofSeconds(5))
        .retryMaxDuration(Duration.ofSeconds(10));
    if (settings.user() != null) {
      builder.user(bytes(settings.user())).password(bytes(settings.password()));
    }
    if (settings.tls() || settings.caFile() != null) {
      try {
        builder.sslContext(ssl -> {
          if (settings.caFile() != null) ssl.trustManager(settings.caFile().toFile());
          if (settings.certFile() != null) ssl.keyManager(settings.certFile().toFile(), settings.keyFile().toFile());
        });
      } catch (javax.net.ssl.SSLException e) {
        throw new IllegalArgumentException("etcd TLS settings rejected: " + e.getMessage(), e);
      }
    }
    return builder.build();
  }

  public static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

}
