package mdo.devcluster.mesos.master;

import com.google.protobuf.InvalidProtocolBufferException;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.router.EndpointNotFound;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import mdo.devcluster.mesos.wire.StoutJson;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's HTTP side: {@code /api/v1/scheduler} (and {@code /master/api/v1/scheduler}, where libprocess delegates
 * it) with the checks of {@code Master::Http::scheduler} in their order, {@code /master/state} and
 * {@code /master/health}. Non-leading masters redirect with a protocol-relative {@code Location}.
 */
public final class MasterServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MasterServer.class);
  static final String APPLICATION_JSON = "application/json";
  static final String APPLICATION_PROTOBUF = "application/x-protobuf";
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String SCHEDULER_REALM = "mesos-master-scheduler";
  private static final String READONLY_REALM = "mesos-master-readonly";

  private final Master master;
  private final String credentials;
  private final Javalin app;

  /** @param credentials {@code user:password} that every request must carry (HTTP basic), or null for none */
  public MasterServer(Master master, String host, int port, String credentials) {
    this.master = master;
    this.credentials = credentials;
    this.app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.http.compressionStrategy = CompressionStrategy.NONE;
      cfg.jetty.host = host;
      cfg.jetty.port = port;
      for (String path : List.of("/api/v1/scheduler", "/master/api/v1/scheduler")) {
        for (HandlerType method : HandlerType.values()) {
          if (method.isHttpMethod() && method != HandlerType.HEAD) cfg.routes.addHttpHandler(method, path, this::scheduler);
        }
      }
      for (String path : List.of("/master/state", "/state", "/master/state.json", "/state.json")) {
        cfg.routes.get(path, this::state);
      }
      cfg.routes.get("/master/health", ctx -> ctx.status(200));
      cfg.routes.get("/health", ctx -> ctx.status(200));
      cfg.routes.exception(EndpointNotFound.class, (e, ctx) -> ctx.status(404).contentType(TEXT).result(""));
      cfg.routes.exception(Exception.class, (e, ctx) -> {
        log.error("master: {} {} failed", ctx.method(), ctx.path(), e);
        ctx.status(500).contentType(TEXT).result(String.valueOf(e.getMessage()));
      });
    });
  }

  public int start() {
    app.start();
    return app.port();
  }

  private void state(Context ctx) {
    if (!authenticated(ctx, READONLY_REALM)) return;
    if (!master.leading()) {
      redirect(ctx);
      return;
    }
    ctx.contentType(APPLICATION_JSON).result(MasterState.render(master.snapshot()).toString());
  }

  /** {@code Master::Http::scheduler}: every check in the order the real master makes it. */
  private void scheduler(Context ctx) throws IOException, InterruptedException {
    if (!authenticated(ctx, SCHEDULER_REALM)) return;
    String principal = credentials == null ? null : credentials.substring(0, credentials.indexOf(':'));
    if (!master.leading()) {
      redirect(ctx);
      return;
    }
    if (!ctx.method().name().equals("POST")) {
      ctx.header("Allow", "POST");
      text(ctx, 405, "405 Method Not Allowed. Expecting one of { 'POST' }, but received '" + ctx.method().name() + "'.");
      return;
    }
    String contentType = ctx.header("Content-Type");
    if (contentType == null) {
      text(ctx, 400, "Expecting 'Content-Type' to be present");
      return;
    }
    Call call;
    if (contentType.equals(APPLICATION_PROTOBUF)) {
      try {
        call = Call.parseFrom(ctx.bodyAsBytes());
      } catch (InvalidProtocolBufferException e) {
        text(ctx, 400, "Failed to parse body into Call protobuf");
        return;
      }
    } else if (contentType.equals(APPLICATION_JSON)) {
      try {
        call = StoutJson.parse(new String(ctx.bodyAsBytes(), StandardCharsets.UTF_8), Call.newBuilder()).build();
      } catch (StoutJson.SyntaxError e) {
        text(ctx, 400, "Failed to parse body into JSON: " + e.getMessage());
        return;
      } catch (StoutJson.ConversionError e) {
        text(ctx, 400, "Failed to convert JSON into Call protobuf: " + e.getMessage());
        return;
      }
    } else {
      text(ctx, 415, "Expecting 'Content-Type' of " + APPLICATION_JSON + " or " + APPLICATION_PROTOBUF);
      return;
    }
    String problem = CallValidation.problem(call, principal);
    if (problem != null) {
      text(ctx, 400, "Failed to validate scheduler::Call: " + problem);
      return;
    }
    Boolean json = null;
    if (call.getType() == Call.Type.SUBSCRIBE || call.getType() == Call.Type.RECONCILE_OPERATIONS) {
      String accept = ctx.header("Accept");
      if (accepts(accept, APPLICATION_JSON)) {
        json = true;
      } else if (accepts(accept, APPLICATION_PROTOBUF)) {
        json = false;
      } else {
        text(ctx, 406, "Expecting 'Accept' to allow '" + APPLICATION_PROTOBUF + "' or '" + APPLICATION_JSON + "'");
        return;
      }
    }
    String streamId = ctx.header("Mesos-Stream-Id");
    if (call.getType() == Call.Type.SUBSCRIBE) {
      if (streamId != null) {
        text(ctx, 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
        return;
      }
      stream(ctx, call.getSubscribe(), json, principal);
      return;
    }
    Master.Reply reply = master.handle(call, streamId, principal);
    if (reply.body().isEmpty()) ctx.status(reply.status()); else text(ctx, reply.status(), reply.body());
  }

  /** Answers 200 with the stream id at once, then holds the connection and writes the framework's events. */
  private void stream(Context ctx, Call.Subscribe subscribe, boolean json, String principal)
      throws IOException, InterruptedException {
    Subscription subscription = new Subscription(json);
    HttpServletResponse res = ctx.res();
    res.setStatus(200);
    res.setContentType(json ? APPLICATION_JSON : APPLICATION_PROTOBUF);
    res.setHeader("Mesos-Stream-Id", subscription.streamId);
    OutputStream out = res.getOutputStream();
    master.subscribe(subscription, subscribe, principal);
    try {
      subscription.pump(out);
    } catch (IOException e) {
      log.info("master: subscription stream {} broke: {}", subscription.streamId, e.toString());
    } finally {
      master.streamClosed(subscription);
    }
  }

  /** libprocess's {@code Request::acceptsMediaType}: no header accepts everything; {@code q=0} refuses. */
  static boolean accepts(String header, String mediaType) {
    if (header == null) return true;
    String compact = header.replace(" ", "").replace("\t", "").replace("\n", "");
    String type = mediaType.substring(0, mediaType.indexOf('/'));
    for (String candidate : List.of(mediaType, type + "/*", "*/*")) {
      for (String range : compact.split(",")) {
        String[] parts = range.split(";");
        if (parts.length == 0 || parts[0].isEmpty() || !parts[0].equalsIgnoreCase(candidate)) continue;
        for (int i = 1; i < parts.length; i++) {
          if (parts[i].startsWith("q=")) {
            try {
              return Double.parseDouble(parts[i].substring(2)) > 0;
            } catch (NumberFormatException e) {
              return false;
            }
          }
        }
        return true;
      }
    }
    return false;
  }

  /** {@code Master::Http::redirect}: 307 to the leader, protocol-relative, under {@code /master}. */
  private void redirect(Context ctx) {
    Optional<String> leader = master.leadership().leaderAddress();
    if (leader.isEmpty()) {
      text(ctx, 503, "No leader elected");
      return;
    }
    String path = ctx.path().startsWith("/master/") ? ctx.path() : "/master" + ctx.path();
    String query = ctx.queryString() == null ? "" : "?" + ctx.queryString();
    ctx.status(307).header("Location", "//" + leader.get() + path + query);
  }

  private boolean authenticated(Context ctx, String realm) {
    if (credentials == null) return true;
    String header = ctx.header("Authorization");
    if (header != null && header.startsWith("Basic ")) {
      try {
        String given = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        if (java.security.MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
            credentials.getBytes(StandardCharsets.UTF_8))) {
          return true;
        }
      } catch (IllegalArgumentException e) {
        // not base64: unauthorized like any wrong credential
      }
    }
    ctx.header("WWW-Authenticate", "Basic realm=\"" + realm + "\"");
    text(ctx, 401, "401 Unauthorized.");
    return false;
  }

  private static void text(Context ctx, int status, String body) {
    ctx.status(status).contentType(TEXT).result(body);
  }

  @Override
  public void close() {
    app.stop();
  }
}
