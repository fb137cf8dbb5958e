package mdo.devcluster.run;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import mdo.devcluster.apps.AppSpec;

/**
 * One probe of a health check. HTTP(S): 200–399 passes (1xx too unless {@code ignoreHttp1xx}); TCP: a connection
 * opens; COMMAND: {@code /bin/sh -c} exits 0 within the timeout, with the task's environment. MESOS_* protocols are
 * probed the same way here. Like Marathon's own HTTPS checks, certificates are not verified.
 */
final class HealthProbes {
  record Target(String host, int port, Map<String, String> env, Path sandbox) {}

  private final HttpClient http;
  private final HttpClient https;

  HealthProbes() {
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    this.https = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trustAll()).build();
  }

  /** Null when healthy, else the failure cause. */
  String probe(AppSpec.HealthCheckSpec check, Target target) {
    Duration timeout = check.timeoutSeconds() > 0 ? Duration.ofMillis((long) (check.timeoutSeconds() * 1000))
        : Duration.ofSeconds(HealthMonitor.LONGEST_PROBE_SECONDS);
    try {
      return switch (check.protocol()) {
        case "HTTP", "MESOS_HTTP" -> httpCheck(http, "http", check, target, timeout);
        case "HTTPS", "MESOS_HTTPS" -> httpCheck(https, "https", check, target, timeout);
        case "TCP", "MESOS_TCP" -> tcpCheck(target, timeout);
        case "COMMAND" -> commandCheck(check, target, timeout);
        default -> "unsupported protocol " + check.protocol();
      };
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private static String httpCheck(HttpClient client, String scheme, AppSpec.HealthCheckSpec check, Target target,
                                   Duration timeout) throws InterruptedException {
    URI uri = URI.create(scheme + "://" + target.host() + ":" + target.port() + check.path());
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
    try {
      int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      boolean pass = (status >= 200 && status < 400) || (status < 200 && !check.ignoreHttp1xx());
      return pass ? null : status + " " + reason(status);
    } catch (IOException e) {
      return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
  }

  private static String reason(int status) {
    return switch (status) {
      case 404 -> "Not Found";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      default -> "";
    };
  }

  private static String tcpCheck(Target target, Duration timeout) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(target.host(), target.port()), (int) timeout.toMillis());
      return null;
    } catch (IOException e) {
      return "TCP connection to " + target.host() + ":" + target.port() + " failed: " + e.getMessage();
    }
  }

  private static String commandCheck(AppSpec.HealthCheckSpec check, Target target, Duration timeout)
      throws InterruptedException {
    try {
      ProcessBuilder builder = new ProcessBuilder(ProcessGroups.inNewGroup(java.util.List.of("/bin/sh", "-c", check.command())))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      if (target.sandbox().toFile().isDirectory()) builder.directory(target.sandbox().toFile());
      else builder.directory(new File("/"));
      builder.environment().putAll(target.env());
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        ProcessGroups.signal(process.toHandle(), "KILL");
        return "command timed out after " + timeout.toMillis() + " ms";
      }
      return process.exitValue() == 0 ? null : "command exited with status " + process.exitValue();
    } catch (IOException e) {
      return "command could not run: " + e.getMessage();
    }
  }

  private static SSLContext trustAll() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      TrustManager[] trustAll = {new X509TrustManager() {
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
        @Override public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }};
      context.init(null, trustAll, new SecureRandom());
      return context;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("no TLS support in this JVM", e);
    }
  }
}
