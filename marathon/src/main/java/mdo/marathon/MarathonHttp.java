package mdo.marathon;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import mdo.config.MarathonSettings;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.Certificates;
import okhttp3.tls.HandshakeCertificates;

/**
 * Builds the one {@link OkHttpClient} a process uses for Marathon (REST and the SSE stream derive from it): auth
 * header, CA file, and redirects followed by us rather than by OkHttp, because OkHttp drops {@code Authorization} on a
 * redirect to another host, and a standby Marathon redirects {@code /v2/events} to the leader (API.md §2.1).
 */
final class MarathonHttp {
  static final int MAX_REDIRECTS = 5;

  private MarathonHttp() {}

  static OkHttpClient client(MarathonSettings settings) {
    OkHttpClient.Builder builder = new OkHttpClient.Builder()
        .followRedirects(false)
        .followSslRedirects(false)
        .connectTimeout(settings.requestTimeout())
        .readTimeout(settings.requestTimeout())
        .writeTimeout(settings.requestTimeout())
        .addInterceptor(auth(settings))
        .addInterceptor(MarathonHttp::followRedirects);
    if (settings.caFile() != null) {
      HandshakeCertificates certificates = trusting(settings);
      builder.sslSocketFactory(certificates.sslSocketFactory(), certificates.trustManager());
    }
    return builder.build();
  }

  private static Interceptor auth(MarathonSettings settings) {
    String header = settings.token() != null ? "token=" + settings.token()
        : settings.user() != null ? Credentials.basic(settings.user(), settings.password()) : null;
    return chain -> header == null || chain.request().header("Authorization") != null
        ? chain.proceed(chain.request())
        : chain.proceed(chain.request().newBuilder().header("Authorization", header).build());
  }

  /** Re-sends the same method, body and headers (Accept, Authorization) to the redirect target. */
  private static Response followRedirects(Interceptor.Chain chain) throws IOException {
    Request request = chain.request();
    Response response = chain.proceed(request);
    for (int hop = 0; hop < MAX_REDIRECTS && response.isRedirect(); hop++) {
      String location = response.header("Location");
      if (location == null) return response;
      HttpUrl target = request.url().resolve(location);
      if (target == null) return response;
      response.close();
      request = request.newBuilder().url(target).build();
      response = chain.proceed(request);
    }
    return response;
  }

  private static HandshakeCertificates trusting(MarathonSettings settings) {
    try {
      String pem = Files.readString(settings.caFile());
      HandshakeCertificates.Builder builder = new HandshakeCertificates.Builder();
      for (String block : pem.split("(?=-----BEGIN CERTIFICATE-----)")) {
        if (block.isBlank()) continue;
        X509Certificate certificate = Certificates.decodeCertificatePem(block.trim());
        builder.addTrustedCertificate(certificate);
      }
      return builder.build();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot read Marathon CA file " + settings.caFile() + ": " + e.getMessage(), e);
    }
  }

  static HttpUrl url(URI base, String pathAndQuery) {
    HttpUrl url = HttpUrl.parse(base + pathAndQuery);
    if (url == null) throw new IllegalArgumentException("invalid Marathon URL: " + base + pathAndQuery);
    return url;
  }
}
