package mdo.devcluster.api;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.router.EndpointNotFound;
import java.util.List;
import java.util.UUID;
import mdo.devcluster.ApiException;
import mdo.devcluster.Json;
import mdo.devcluster.MarathonFlags;
import mdo.devcluster.Settings;
import mdo.devcluster.events.CallbackSubscribers;
import mdo.devcluster.events.EventBus;
import mdo.devcluster.run.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Marathon REST + event API of the dev cluster, on Javalin, as the configured release serves it: unknown routes
 * are 404 {@code URI not found: <path>} up to 1.5 and 500 {@code URI not found} from 1.6
 * ({@code MarathonExceptionMapper}), and {@code /v2/eventSubscriptions} exists only in 1.4 (400 unless started with
 * {@code --event_subscriber http_callback}), being an unknown route from 1.5.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
  private final Javalin app;
  private final EventRoutes events;
  private final SystemRoutes system;

  public ApiServer(Settings settings, Cluster cluster, EventBus bus, CallbackSubscribers callbacks) {
    MarathonFlags flags = settings.marathon();
    AppRoutes apps = new AppRoutes(cluster, flags.version());
    TaskRoutes tasks = new TaskRoutes(cluster, flags.version());
    DeploymentRoutes deployments = new DeploymentRoutes(cluster);
    QueueRoutes queue = new QueueRoutes(cluster);
    GroupRoutes groups = new GroupRoutes(cluster);
    this.events = new EventRoutes(bus, callbacks, settings.heartbeat(), flags);
    this.system = new SystemRoutes(settings, cluster.agentId().replace("-S0", "-0000") + "-" + UUID.randomUUID()
        .toString().substring(0, 4));
    BasicAuth auth = settings.credentials() == null ? null : new BasicAuth(settings.credentials());
    BrowserRequests browsers = new BrowserRequests(List.of(settings.host(), settings.taskHost()));
    this.app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.http.compressionStrategy = CompressionStrategy.NONE;
      cfg.jetty.host = settings.host();
      cfg.jetty.port = settings.port();
      cfg.routes.before(ctx -> {
        ctx.header("Cache-Control", "no-cache, no-store, must-revalidate");
        ctx.header("Pragma", "no-cache");
        ctx.header("Expires", "0");
        // What LeaderProxyFilter adds to every answer of the leader.
        ctx.header("X-Marathon-Leader", "http://" + system.leader());
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("X-XSS-Protection", "1; mode=block");
        if (browsers.refuse(ctx)) return;
        if (auth != null) auth.check(ctx);
      });
      cfg.routes.get("/ping", system::ping);
      cfg.routes.get("/v2/info", system::info);
      cfg.routes.get("/v2/leader", system::leaderGet);
      cfg.routes.get("/v2/apps", apps::list);
      cfg.routes.post("/v2/apps", apps::create);
      cfg.routes.get("/v2/apps/<rest>", apps::get);
      cfg.routes.post("/v2/apps/<rest>", apps::post);
      cfg.routes.put("/v2/apps/<rest>", apps::put);
      cfg.routes.patch("/v2/apps/<rest>", apps::patch);
      cfg.routes.delete("/v2/apps/<rest>", apps::delete);
      cfg.routes.get("/v2/tasks", tasks::list);
      cfg.routes.post("/v2/tasks/delete", tasks::delete);
      cfg.routes.get("/v2/deployments", deployments::list);
      cfg.routes.delete("/v2/deployments/{id}", deployments::delete);
      cfg.routes.get("/v2/queue", queue::list);
      cfg.routes.delete("/v2/queue/<rest>", queue::resetDelay);
      cfg.routes.get("/v2/groups", groups::root);
      cfg.routes.get("/v2/groups/<rest>", groups::group);
      cfg.routes.get("/v2/events", events::stream);
      if (!flags.version().atLeast(5)) {
        cfg.routes.get("/v2/eventSubscriptions", events::subscriptions);
        cfg.routes.post("/v2/eventSubscriptions", events::subscribe);
        cfg.routes.delete("/v2/eventSubscriptions", events::unsubscribe);
      }
      cfg.routes.exception(ApiException.class, (e, ctx) -> Http.json(ctx, e.status(), e.body()));
      cfg.routes.exception(EndpointNotFound.class, (e, ctx) -> uriNotFound(ctx, flags));
      cfg.routes.exception(RouteNotFound.class, (e, ctx) -> uriNotFound(ctx, flags));
      cfg.routes.exception(Exception.class, (e, ctx) -> {
        log.error("failed: {} {}", ctx.method(), ctx.path(), e);
        Http.json(ctx, 500, Json.object().put("message", String.valueOf(e.getMessage())));
      });
    });
  }

  private static void uriNotFound(Context ctx, MarathonFlags flags) {
    if (flags.version().atLeast(6)) {
      Http.json(ctx, 500, Json.object().put("message", "URI not found"));
    } else {
      Http.json(ctx, 404, Json.object().put("message", "URI not found: " + ctx.path()));
    }
  }

  public int start() {
    app.start();
    system.port(app.port());
    return app.port();
  }

  public int eventStreams() {
    return events.streamCount();
  }

  @Override
  public void close() {
    events.closeStreams();
    app.stop();
  }
}
