package mdo.subscriber;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HttpResponseException;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.ServiceUnavailableResponse;
import io.javalin.http.UnauthorizedResponse;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import mdo.command.CrossSiteGuard;
import mdo.command.UntrustedText;
import mdo.marathon.events.MalformedEventException;
import mdo.marathon.events.MarathonEvent;
import mdo.marathon.events.MarathonEvents;
import mdo.registry.InstanceRecord;
import mdo.subscriber.access.Callers;
import mdo.subscriber.callbacks.CallbackService;
import mdo.subscriber.callbacks.Networks;

/**
 * The subscriber's HTTP surface, over narrow views of the rest ({@link Parts}). Every route is declared here (the
 * callback registrations' go to the current term's {@link CallbackService}); contributors add theirs in the same
 * {@code Javalin.create} call. Every request first passes {@link CrossSiteGuard}, so no web page can drive the
 * subscriber through a browser; then a standby forwards what only the leader serves.
 */
final class SubscriberApp {
  private SubscriberApp() {}

  /** What {@code /health} and {@code /info} show; with {@code details} also endpoints and error texts (admin only). */
  interface HealthView {
    Health health(boolean details);
  }

  /**
   * Marathon's HTTP callbacks (callback mode only): the route is {@code /callback/<secret>}, the secret being in the
   * URL the subscriber registered at Marathon, so only Marathon (and whoever reads its subscriptions) knows it.
   *
   * @param sources when not empty, callbacks are taken only from these networks or hosts
   */
  record CallbackIntake(String secret, Networks sources, Consumer<MarathonEvent> events) {}

  /**
   * What the routes need.
   *
   * @param callers tells the admin and service tokens apart ({@code POST /v1/resync} and details in /health need the
   *     admin)
   * @param names host names the subscriber is reached by, for {@link CrossSiteGuard}
   * @param callbacks {@code null} unless events come as HTTP callbacks
   * @param malformed told of a malformed event body: its type (if any) and why
   * @param refused told of every request {@link CrossSiteGuard} refused, by status
   * @param leading whether this subscriber leads now; a standby forwards what only the leader serves
   * @param forward answers a request only the leader serves with the leader's answer
   * @param registrations the current term's callback registrations and delivery; {@code null} on a standby
   * @param queue what Marathon's launch queue says of services short of instances
   */
  record Parts(String environment, Supplier<List<InstanceRecord>> records, HealthView health, ResyncTrigger resyncs,
      Callers callers, List<String> names, CallbackIntake callbacks, BiConsumer<String, String> malformed,
      IntConsumer refused, Supplier<String> metrics, BooleanSupplier leading, Consumer<Context> forward,
      Supplier<CallbackService> registrations, List<Consumer<JavalinConfig>> contributors,
      Supplier<LaunchQueue.Status> queue) {}

  static Javalin create(Parts parts) {
    InfoRoutes info = new InfoRoutes(parts.environment(), parts.records(), () -> parts.health().health(false),
        parts.queue());
    Routes routes = new Routes(parts);
    CrossSiteGuard guard = new CrossSiteGuard(parts.names());
    return Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.routes.before(ctx -> {
        boolean hasBody = ctx.req().getContentLengthLong() > 0 || ctx.header("Transfer-Encoding") != null;
        CrossSiteGuard.Refusal refusal = guard.check(ctx.method().name(), ctx.header("Host"), ctx.header("Origin"),
            ctx.header("Content-Type"), hasBody);
        if (refusal != null) {
          parts.refused().accept(refusal.status());
          throw new HttpResponseException(refusal.status(), refusal.message());
        }
      });
      cfg.routes.before(routes::forwardUnlessLeading);
      cfg.routes.get("/", ctx -> ctx.redirect("/info"));
      cfg.routes.get("/info", info::page);
      cfg.routes.get("/v1/services", info::services);
      cfg.routes.get("/v1/services/{name}", info::service);
      cfg.routes.get("/health", routes::health);
      cfg.routes.get("/metrics", routes::metrics);
      cfg.routes.post("/v1/resync", routes::resync);
      if (parts.callbacks() != null) cfg.routes.post("/callback/{secret}", routes::callback);
      cfg.routes.post("/v1/callbacks", ctx -> routes.registrations().register(ctx));
      cfg.routes.get("/v1/callbacks", ctx -> routes.registrations().list(ctx));
      cfg.routes.delete("/v1/callbacks/{service}/{id}", ctx -> routes.registrations().unregister(ctx));
      cfg.routes.exception(HttpResponseException.class, (e, ctx) ->
          InfoRoutes.json(ctx.status(e.getStatus()), Map.of("error", e.getMessage())));
      for (Consumer<JavalinConfig> c : parts.contributors()) c.accept(cfg);
    });
  }

  static final class Routes {
    private final Parts parts;

    Routes(Parts parts) {
      this.parts = parts;
    }

    /**
     * Only the leader resyncs and takes callback registrations: a standby forwards those requests to it, once it knows
     * the caller (the admin or a service's registration token; the leader checks what each may do).
     */
    void forwardUnlessLeading(Context ctx) {
      String path = ctx.path();
      boolean leaderOnly = path.equals("/v1/resync") || path.equals("/v1/callbacks")
          || path.startsWith("/v1/callbacks/");
      if (!leaderOnly || parts.leading().getAsBoolean()) return;
      if (parts.callers().of(ctx.header("Authorization"), ctx.ip()).isEmpty()) {
        ctx.header("WWW-Authenticate", "Bearer");
        throw new UnauthorizedResponse("a valid bearer token is required");
      }
      parts.forward().accept(ctx);
      ctx.skipRemainingHandlers();
    }

    /** The term's callback service; between a deposition and the forward filter's check, a clear 503. */
    CallbackService registrations() {
      CallbackService c = parts.registrations().get();
      if (c == null) throw new ServiceUnavailableResponse("this subscriber no longer leads: retry");
      return c;
    }

    /** Health for everyone; which endpoints it talks to, and error texts naming them, only for the admin. */
    void health(Context ctx) {
      Health h = parts.health().health(parts.callers().admin(ctx.header("Authorization"), ctx.ip()));
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", h.healthy() ? "healthy" : "unhealthy");
      body.put("problems", h.problems());
      body.put("warnings", h.warnings());
      body.put("role", h.role());
      body.put("leader", h.leader());
      body.put("stream", h.stream());
      body.put("resync", h.resync());
      body.put("etcd", h.etcd());
      body.put("marathon", h.marathon());
      body.put("records", h.records());
      body.put("queueDepth", h.queueDepth());
      InfoRoutes.json(ctx.status(h.healthy() ? 200 : 503), body);
    }

    void metrics(Context ctx) {
      ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(parts.metrics().get());
    }

    /** Queues a full resync; {@code ?force=true} lifts the mass-deletion limit once. Needs the admin token. */
    void resync(Context ctx) {
      if (!parts.callers().admin(ctx.header("Authorization"), ctx.ip())) {
        ctx.header("WWW-Authenticate", "Bearer");
        throw new UnauthorizedResponse("the admin token is required (a registration token is not enough)");
      }
      boolean force = "true".equals(ctx.queryParam("force"));
      parts.resyncs().request(force ? "POST /v1/resync?force=true" : "POST /v1/resync", force);
      InfoRoutes.json(ctx.status(202), Map.of("resync", "queued", "force", force));
    }

    /**
     * Marathon's HTTP callback (< 1.5): one event per POST. A wrong secret looks like no route at all; a source off the
     * allowlist is refused; malformed bodies get 400 (counted, with the sender's text escaped).
     */
    void callback(Context ctx) {
      CallbackIntake intake = parts.callbacks();
      if (!MessageDigest.isEqual(ctx.pathParam("secret").getBytes(StandardCharsets.UTF_8),
          intake.secret().getBytes(StandardCharsets.UTF_8))) {
        throw new NotFoundResponse("Endpoint POST " + UntrustedText.escape(ctx.path()) + " not found");
      }
      if (!intake.sources().isEmpty() && !fromSource(intake.sources(), ctx.ip())) {
        throw new ForbiddenResponse("callbacks are taken only from subscriber.callback-sources");
      }
      MarathonEvent event;
      try {
        event = MarathonEvents.parse(ctx.body());
      } catch (MalformedEventException e) {
        parts.malformed().accept(e.type(), e.getMessage());
        throw new BadRequestResponse(UntrustedText.escape(e.getMessage()));
      }
      intake.events().accept(event);
      InfoRoutes.json(ctx, Map.of("accepted", UntrustedText.escape(event.type())));
    }

    private static boolean fromSource(Networks sources, String ip) {
      try {
        return sources.containsPeer(InetAddress.getByName(ip));
      } catch (UnknownHostException e) {
        return false;
      }
    }
  }
}
