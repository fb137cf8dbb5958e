package mdo.devcluster.standby;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import mdo.devcluster.Settings;
import mdo.devcluster.api.BasicAuth;
import mdo.devcluster.api.JettyErrorPage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Marathon node that is not the leader ({@code bin/devcluster up --standby-of URL}): it runs nothing and answers
 * every path as Marathon's {@code LeaderProxyFilter} (mapped to {@code /*}, so {@code /ping}, {@code /v2/info} and
 * {@code /v2/leader} too) and {@code AsyncUrlConnectionRequestForwarder} do (1.7 to 1.10):
 *
 * <ul>
 *   <li>{@code /v2/events}: 302 to the same path and query on the leader from 1.7; proxied like the rest before.</li>
 *   <li>Everything else is forwarded to the leader with {@code X-Marathon-Via: 1.1 <standby host:port>} and
 *   {@code X-Forwarded-For} appended; the leader's status, headers and body come back, plus the via header.</li>
 *   <li>A request that already passed this node ({@code X-Marathon-Via}) is a loop: 502 "Detected proxying loop.".</li>
 *   <li>Leader refused the connection: 502 "Connection to leader refused."; any other failure: 500.</li>
 *   <li>No leader: the request waits up to 10 x 250 ms for one, then 502 "Could not determine the current leader".</li>
 * </ul>
 *
 * <p>Those errors are Jetty error pages ({@code response.sendError}), not JSON. With {@code --auth} the standby asks
 * for credentials first, as Jetty's security handler sits in front of the filter, and passes them on.
 */
public final class Standby implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Standby.class);
  static final String VIA = "X-Marathon-Via";
  static final String FORWARDED_FOR = "X-Forwarded-For";
  /** {@code waitForConsistentLeadership}: 10 retries, 250 ms apart. */
  static final int LEADER_RETRIES = 10;
  static final Duration LEADER_RETRY_PAUSE = Duration.ofMillis(250);
  /** Marathon's {@code --leader_proxy_connection_timeout} and {@code --leader_proxy_read_timeout} defaults. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
  /** Not passed on: hop-by-hop, or set by the HTTP client itself (the Akka client's list, plus what the JDK owns). */
  private static final Set<String> REQUEST_HEADERS_KEPT_BACK = Set.of("connection", "host", "content-length",
      "user-agent", "expect", "upgrade", "date", "from", "via", "warning", "keep-alive", "transfer-encoding", "te");
  private static final Set<String> RESPONSE_HEADERS_KEPT_BACK = Set.of("connection", "transfer-encoding",
      "keep-alive", "content-length");

  private final Settings settings;
  private final LeaderWatch leader;
  private final HttpClient http;
  private final Javalin app;
  private volatile String viaValue;

  private Standby(Settings settings) {
    this.settings = settings;
    this.leader = new LeaderWatch(settings.standbyOf(), settings.leaderSessionTimeout());
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER).build();
    BasicAuth auth = settings.credentials() == null ? null : new BasicAuth(settings.credentials());
    this.app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.http.compressionStrategy = CompressionStrategy.NONE;
      cfg.jetty.host = settings.host();
      cfg.jetty.port = settings.port();
      if (auth != null) cfg.routes.before(auth::check);
      for (HandlerType method : List.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT, HandlerType.PATCH,
          HandlerType.DELETE, HandlerType.HEAD, HandlerType.OPTIONS)) {
        cfg.routes.addHttpHandler(method, "/*", this::handle);
      }
      cfg.routes.exception(Exception.class, (e, ctx) -> {
        log.error("failed: proxying {} {}", ctx.method(), ctx.path(), e);
        JettyErrorPage.send(ctx, 500, "Server Error");
      });
    });
    try {
      app.start();
    } catch (RuntimeException e) {
      leader.close();
      throw new IllegalStateException("could not serve on " + settings.host() + ":" + settings.port() + ": "
          + e.getMessage(), e);
    }
    this.viaValue = "1.1 " + hostPort(settings.host(), app.port());
    log.info("serving: standby of {} on {} (Marathon {})", settings.standbyOf(), url(), settings.marathon().version());
  }

  public static Standby start(Settings settings) {
    if (!settings.standby()) throw new IllegalArgumentException("a standby needs the leader's URL");
    return new Standby(settings);
  }

  public int port() {
    return app.port();
  }

  public String url() {
    return "http://" + hostPort(settings.host(), app.port());
  }

  private static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private void handle(Context ctx) throws IOException, InterruptedException {
    if (ctx.req().getHeaders(VIA) != null && Collections.list(ctx.req().getHeaders(VIA)).contains(viaValue)) {
      log.error("refused: proxy loop on {} {}", ctx.method(), ctx.path());
      JettyErrorPage.send(ctx, 502, "Detected proxying loop.");
      return;
    }
    if (!awaitLeader()) {
      JettyErrorPage.send(ctx, 502, "Could not determine the current leader");
      return;
    }
    URI target = URI.create(leader.uri().getScheme() + "://" + leader.hostPort() + ctx.req().getRequestURI()
        + (ctx.queryString() == null ? "" : "?" + ctx.queryString()));
    // 1.7 redirects the event stream to the leader; earlier releases proxied it (LeaderProxyFilter).
    if (ctx.path().startsWith("/v2/events") && settings.marathon().version().atLeast(7)) {
      ctx.redirect(target.toString(), HttpStatus.FOUND);
      return;
    }
    forward(ctx, target);
  }

  /** True when there is a leader, waiting for one as {@code waitForConsistentLeadership} does. */
  private boolean awaitLeader() throws InterruptedException {
    for (int attempt = 0; attempt <= LEADER_RETRIES; attempt++) {
      if (leader.leader()) return true;
      if (attempt < LEADER_RETRIES) Thread.sleep(LEADER_RETRY_PAUSE.toMillis());
    }
    return false;
  }

  private void forward(Context ctx, URI target) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(target);
    if (!ctx.path().startsWith("/v2/events")) request.timeout(READ_TIMEOUT);
    for (String name : Collections.list(ctx.req().getHeaderNames())) {
      if (REQUEST_HEADERS_KEPT_BACK.contains(name.toLowerCase(Locale.ROOT))) continue;
      if (name.equalsIgnoreCase(FORWARDED_FOR)) continue;
      for (String value : Collections.list(ctx.req().getHeaders(name))) request.header(name, value);
    }
    String userAgent = ctx.header("User-Agent");
    if (userAgent != null) request.header("User-Agent", userAgent);
    request.header(VIA, viaValue);
    String forwardedFor = ctx.header(FORWARDED_FOR);
    request.header(FORWARDED_FOR, (forwardedFor == null ? "" : forwardedFor + ",") + ctx.req().getRemoteAddr());
    byte[] body = ctx.bodyAsBytes();
    request.method(ctx.method().name(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(body));
    HttpResponse<InputStream> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (ConnectException e) {
      log.error("failed: connection to leader {} refused", leader.uri());
      JettyErrorPage.send(ctx, 502, "Connection to leader refused.");
      return;
    } catch (IOException e) {
      log.error("failed: proxying {} {} to {}: {}", ctx.method(), ctx.path(), leader.uri(), e.toString());
      JettyErrorPage.send(ctx, 500, "Server Error");
      return;
    }
    leader.answered();
    copy(ctx, response);
  }

  /** Status, headers and the body as it arrives, flushed per read, so a proxied event stream is not held back. */
  private void copy(Context ctx, HttpResponse<InputStream> response) throws IOException {
    var res = ctx.res();
    res.setStatus(response.statusCode());
    response.headers().map().forEach((name, values) -> {
      if (RESPONSE_HEADERS_KEPT_BACK.contains(name.toLowerCase(Locale.ROOT))) return;
      values.forEach(v -> res.addHeader(name, v));
    });
    res.addHeader(VIA, viaValue);
    response.headers().firstValueAsLong("content-length").ifPresent(res::setContentLengthLong);
    try (InputStream in = response.body()) {
      OutputStream out = res.getOutputStream();
      byte[] buffer = new byte[8192];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        out.write(buffer, 0, n);
        out.flush();
      }
    }
  }

  @Override
  public void close() {
    log.info("stopping: standby on {}", url());
    leader.close();
    app.stop();
  }
}
