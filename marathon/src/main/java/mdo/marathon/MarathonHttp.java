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
 * header, CA file, and redirects followed by us rather than by OkHttp, because a standby Marathon redirects
 * {@code /v2/events} to the leader (API.md §2.1) and the leader needs the credentials too. They are added per hop, and
 * only for a configured Marathon URL's scheme, host and port: a redirect elsewhere, or from https to http, is refused
 * (with credentials configured; a downgrade always) and the error says why.
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
        // Outermost first: each hop of the redirect loop passes through auth, which decides per target.
        .addInterceptor(new Redirects(settings))
        .addInterceptor(auth(settings));
    if (settings.caFile() != null) {
      HandshakeCertificates certificates = trusting(settings);
      builder.sslSocketFactory(certificates.sslSocketFactory(), certificates.trustManager());
    }
    return builder.build();
  }

  private static String authorization(MarathonSettings settings) {
    return settings.token() != null ? "token=" + settings.token()
        : settings.user() != null ? Credentials.basic(settings.user(), settings.password()) : null;
  }

  /** Credentials on requests to configured Marathon URLs only. */
  private static Interceptor auth(MarathonSettings settings) {
    String header = authorization(settings);
    return chain -> header == null || chain.request().header("Authorization") != null
        || !configured(settings, chain.request().url())
        ? chain.proceed(chain.request())
        : chain.proceed(chain.request().newBuilder().header("Authorization", header).build());
  }

  /** Whether {@code url} has the scheme, host and port of a configured Marathon URL. */
  static boolean configured(MarathonSettings settings, HttpUrl url) {
    for (URI uri : settings.urls()) {
      HttpUrl base = HttpUrl.get(uri);
      if (base.scheme().equals(url.scheme()) && base.host().equals(url.host()) && base.port() == url.port()) return true;
    }
    return false;
  }

  /** Re-sends the same method, body and headers (Accept) to a redirect's target, if it may be sent there. */
  private static final class Redirects implements Interceptor {
    private final MarathonSettings settings;
    private final boolean credentials;

    Redirects(MarathonSettings settings) {
      this.settings = settings;
      this.credentials = authorization(settings) != null;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
      Request request = chain.request();
      Response response = chain.proceed(request);
      for (int hop = 0; hop < MAX_REDIRECTS && response.isRedirect(); hop++) {
        String location = response.header("Location");
        if (location == null) return response;
        HttpUrl target = request.url().resolve(location);
        if (target == null) return response;
        response.close();
        refuseUnsafe(request.url(), target);
        request = request.newBuilder().url(target).build();
        response = chain.proceed(request);
      }
      return response;
    }

    private void refuseUnsafe(HttpUrl from, HttpUrl to) throws IOException {
      if (from.isHttps() && !to.isHttps()) {
        throw new IOException("refused: " + origin(from) + " redirected to " + origin(to) + ", a downgrade from https"
            + " to plain http; run Marathon with --disable_http so that it redirects to https");
      }
      if (credentials && !configured(settings, to)) {
        throw new IOException("refused: " + origin(from) + " redirected to " + origin(to) + ", which is not in"
            + " marathon.urls, and Marathon credentials go only to configured Marathon URLs; add it to marathon.urls"
            + " if it is one of your Marathons");
      }
    }

    private static String origin(HttpUrl url) {
      return url.scheme() + "://" + url.host() + ":" + url.port();
    }
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
