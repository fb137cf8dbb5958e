package mdo.devcluster.api;

import io.javalin.http.Context;
import mdo.devcluster.apps.PathIds;
import mdo.devcluster.run.Cluster;

/**
 * {@code GET /v2/queue[?embed=lastUnusedOffers]} and {@code DELETE /v2/queue/<app>/delay} ({@code
 * api/v2/QueueResource.scala}).
 */
final class QueueRoutes {
  private final Cluster cluster;

  QueueRoutes(Cluster cluster) {
    this.cluster = cluster;
  }

  void list(Context ctx) {
    Http.json(ctx, 200, cluster.queue(ctx.queryParams("embed").contains("lastUnusedOffers")));
  }

  /** 204 with no body; the path's id is made absolute as Marathon's {@code toAbsolutePath} does. */
  void resetDelay(Context ctx) {
    String rest = ctx.pathParam("rest");
    if (!rest.endsWith("/delay") || rest.equals("/delay")) throw new RouteNotFound();
    cluster.resetDelay(PathIds.canonical(rest.substring(0, rest.length() - "/delay".length())));
    ctx.status(204);
  }
}
