package mdo.mesos;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import okhttp3.Credentials;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.tls.Certificates;
import okhttp3.tls.HandshakeCertificates;

/**
 * The one {@link OkHttpClient} of a connection. Redirects are not followed by OkHttp: a 307 names the leader, which the
 * connection must remember, and OkHttp would re-send credentials to whatever host a redirect names. Basic auth is
 * added only for the configured masters.
 */
final class MesosHttp {
  private MesosHttp() {}

  static OkHttpClient client(MesosSettings settings, Masters masters) {
    OkHttpClient.Builder builder = new OkHttpClient.Builder()
        .followRedirects(false)
        .followSslRedirects(false)
        .retryOnConnectionFailure(false) // an ACCEPT must never be sent twice; the caller decides
        .connectTimeout(settings.requestTimeout())
        .readTimeout(settings.requestTimeout())
        .writeTimeout(settings.requestTimeout())
        .callTimeout(settings.requestTimeout());
    if (settings.authenticates()) {
      String header = Credentials.basic(settings.principal(), settings.secret());
      builder.addInterceptor(chain -> authorize(chain, masters, header));
    }
    if (settings.caFile() != null) {
      HandshakeCertificates certificates = trusting(settings);
      builder.sslSocketFactory(certificates.sslSocketFactory(), certificates.trustManager());
    }
    return builder.build();
  }

  /** The subscription's client: no read or call timeout, the heartbeat watchdog decides when the stream is dead. */
  static OkHttpClient streaming(OkHttpClient client) {
    return client.newBuilder().readTimeout(Duration.ZERO).callTimeout(Duration.ZERO).build();
  }

  private static Response authorize(Interceptor.Chain chain, Masters masters, String header) throws IOException {
    if (!masters.isConfigured(chain.request().url())) return chain.proceed(chain.request());
    return chain.proceed(chain.request().newBuilder().header("Authorization", header).build());
  }

  private static HandshakeCertificates trusting(MesosSettings settings) {
    try {
      HandshakeCertificates.Builder builder = new HandshakeCertificates.Builder();
      int count = 0;
      for (String block : Files.readString(settings.caFile()).split("(?=-----BEGIN CERTIFICATE-----)")) {
        if (!block.contains("-----BEGIN CERTIFICATE-----")) continue;
        builder.addTrustedCertificate(Certificates.decodeCertificatePem(block.trim()));
        count++;
      }
      if (count == 0) throw new IllegalArgumentException("no PEM certificate in it");
      return builder.build();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot read the Mesos CA file " + settings.caFile() + ": " + e.getMessage(), e);
    }
  }
}
