package mdo.devcluster.api;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.router.EndpointNotFound;
import java.util.List;
import java.util.UUID;
import mdo.devcluster.ApiException;
import mdo.devcluster.Json;
import mdo.devcluster.Settings;
import mdo.devcluster.events.CallbackSubscribers;
import mdo.devcluster.events.EventBus;
import mdo.devcluster.run.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Marathon REST + event API of the dev cluster, on Javalin. */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
  private final Javalin app;
  private final EventRoutes events;
  private final SystemRoutes system;

  public ApiServer(Settings settings, Cluster cluster, EventBus bus, CallbackSubscribers callbacks) {
    AppRoutes apps = new AppRoutes(cluster);
    TaskRoutes tasks = new TaskRoutes(cluster);
    DeploymentRoutes deployments = new DeploymentRoutes(cluster);
    this.events = new EventRoutes(bus, callbacks, settings.heartbeat());
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
        ctx.header("X-Marathon-Leader", "http://" + system.leader());
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
      cfg.routes.get("/v2/events", events::stream);
      cfg.routes.get("/v2/eventSubscriptions", events::subscriptions);
      cfg.routes.post("/v2/eventSubscriptions", events::subscribe);
      cfg.routes.delete("/v2/eventSubscriptions", events::unsubscribe);
      cfg.routes.exception(ApiException.class, (e, ctx) -> Http.json(ctx, e.status(), e.body()));
      // Marathon 1.6+ maps unknown routes to 500 {"message":"URI not found"} (MarathonExceptionMapper).
      cfg.routes.exception(EndpointNotFound.class, (e, ctx) -> uriNotFound(ctx));
      cfg.routes.exception(Exception.class, (e, ctx) -> {
        log.error("failed: {} {}", ctx.method(), ctx.path(), e);
        Http.json(ctx, 500, Json.object().put("message", String.valueOf(e.getMessage())));
      });
    });
  }

  private static void uriNotFound(Context ctx) {
    Http.json(ctx, 500, Json.object().put("message", "URI not found"));
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
