package mdo.subscriber;

import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import mdo.leader.Leader;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * On a standby, forwards what only the leader serves ({@code POST /v1/resync}, {@code /v1/callbacks...}) to the leader
 * named in the leader key, as Marathon's standbys forward API calls to theirs: callers and tasks may use any
 * subscriber's URL. The standby forwards only callers it knows (the admin, or a service by its registration token: the
 * tokens are the environment's, so it knows them as the leader does), and the leader decides what each may do. A
 * request is forwarded once at most
 * ({@value #FORWARDED_BY}): a standby that receives a forwarded request, or knows no leader, answers 503 with
 * {@code Retry-After}.
 */
final class LeaderProxy implements AutoCloseable {
  static final String FORWARDED_BY = "X-Mdo-Forwarded-By";
  static final String LEADER = "X-Mdo-Leader";

  private final OkHttpClient http = new OkHttpClient.Builder()
      .callTimeout(Duration.ofSeconds(10))
      .followRedirects(false)
      .followSslRedirects(false)
      .retryOnConnectionFailure(false) // forwarding is not idempotent (a registration): the caller retries
      .build();
  private final Supplier<Optional<Leader>> leader;
  private final Supplier<String> self;

  /** @param self this process's id in the election */
  LeaderProxy(Supplier<Optional<Leader>> leader, Supplier<String> self) {
    this.leader = leader;
    this.self = self;
  }

  /** Answers {@code ctx} with the leader's answer to the same request, or 503/502 saying why it could not. */
  void forward(Context ctx) {
    Leader l = leader.get().orElse(null);
    if (ctx.header(FORWARDED_BY) != null || l == null || l.url() == null || l.id().equals(self.get())) {
      ctx.header("Retry-After", "1");
      answer(ctx, 503, ctx.header(FORWARDED_BY) != null
          ? "this subscriber does not lead, and this request was forwarded to it as the leader: retry"
          : "this subscriber stands by and no leader is known yet: retry", l);
      return;
    }
    HttpUrl target = HttpUrl.parse(l.url() + ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString()));
    if (target == null) {
      answer(ctx, 502, "the leader's URL is not usable: " + l.url(), l);
      return;
    }
    Request.Builder request = new Request.Builder().url(target).header(FORWARDED_BY, self.get());
    for (String name : new String[] {"Authorization", "Accept"}) {
      String value = ctx.header(name);
      if (value != null) request.header(name, value);
    }
    String type = ctx.contentType();
    byte[] body = ctx.bodyAsBytes();
    boolean hasBody = !ctx.method().name().equals("GET") && !ctx.method().name().equals("HEAD");
    request.method(ctx.method().name(), hasBody ? RequestBody.create(body, type == null ? null : MediaType.parse(type))
        : null);
    try (Response r = http.newCall(request.build()).execute()) {
      ctx.status(r.code()).header(LEADER, l.url());
      String answerType = r.header("Content-Type");
      if (answerType != null) ctx.contentType(answerType);
      String authenticate = r.header("WWW-Authenticate");
      if (authenticate != null) ctx.header("WWW-Authenticate", authenticate);
      ctx.result(r.body().bytes());
    } catch (IOException e) {
      answer(ctx, 502, "the leader at " + l.url() + " did not answer: " + e.getMessage(), l);
    }
  }

  private static void answer(Context ctx, int status, String error, Leader leader) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", error);
    body.put("leader", leader);
    InfoRoutes.json(ctx.status(status), body);
  }

  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
