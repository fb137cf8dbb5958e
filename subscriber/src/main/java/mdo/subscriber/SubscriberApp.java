package mdo.subscriber;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.UnauthorizedResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Supplier;
import mdo.registry.InstanceRecord;
import mdo.marathon.events.MalformedEventException;
import mdo.marathon.events.MarathonEvent;
import mdo.marathon.events.MarathonEvents;

/**
 * The subscriber's HTTP surface, over narrow views of the rest ({@link Parts}). Every route is declared here;
 * contributors add theirs in the same {@code Javalin.create} call (the seam for callback registrations).
 */
final class SubscriberApp {
  private SubscriberApp() {}

  /**
   * What the routes need.
   *
   * @param authorized whether a request may change state, from its {@code Authorization} header and remote address
   * @param callbackEvents events Marathon POSTs to {@code /callback}
   * @param malformed told of a malformed event body: its type (if any) and why
   * @param queue what Marathon's launch queue says of services short of instances
   */
  record Parts(String environment, Supplier<List<InstanceRecord>> records, Supplier<Health> health,
      ResyncTrigger resyncs, Consumer<MarathonEvent> callbackEvents, BiConsumer<String, String> malformed,
      BiPredicate<String, String> authorized, Supplier<String> metrics, List<Consumer<JavalinConfig>> contributors,
      Supplier<LaunchQueue.Status> queue) {}

  static Javalin create(Parts parts) {
    InfoRoutes info = new InfoRoutes(parts.environment(), parts.records(), parts.health(), parts.queue());
    Routes routes = new Routes(parts);
    return Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.routes.get("/", ctx -> ctx.redirect("/info"));
      cfg.routes.get("/info", info::page);
      cfg.routes.get("/v1/services", info::services);
      cfg.routes.get("/v1/services/{name}", info::service);
      cfg.routes.get("/health", routes::health);
      cfg.routes.get("/metrics", routes::metrics);
      cfg.routes.post("/v1/resync", routes::resync);
      cfg.routes.post("/callback", routes::callback);
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

    void health(Context ctx) {
      Health h = parts.health().get();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", h.healthy() ? "healthy" : "unhealthy");
      body.put("problems", h.problems());
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

    /** Queues a full resync; {@code ?force=true} lifts the mass-deletion limit once. Needs the bearer token. */
    void resync(Context ctx) {
      requireToken(ctx);
      boolean force = "true".equals(ctx.queryParam("force"));
      parts.resyncs().request(force ? "POST /v1/resync?force=true" : "POST /v1/resync", force);
      InfoRoutes.json(ctx.status(202), Map.of("resync", "queued", "force", force));
    }

    /** Marathon's HTTP callback (< 1.5): one event per POST. Malformed bodies get 400 and are counted. */
    void callback(Context ctx) {
      MarathonEvent event;
      try {
        event = MarathonEvents.parse(ctx.body());
      } catch (MalformedEventException e) {
        parts.malformed().accept(e.type(), e.getMessage());
        throw new BadRequestResponse(e.getMessage());
      }
      parts.callbackEvents().accept(event);
      InfoRoutes.json(ctx, Map.of("accepted", event.type()));
    }

    private void requireToken(Context ctx) {
      if (!parts.authorized().test(ctx.header("Authorization"), ctx.req().getRemoteAddr())) {
        ctx.header("WWW-Authenticate", "Bearer");
        throw new UnauthorizedResponse("a valid bearer token is required");
      }
    }
  }
}
