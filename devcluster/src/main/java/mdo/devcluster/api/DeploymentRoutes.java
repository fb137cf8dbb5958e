package mdo.devcluster.api;

import io.javalin.http.Context;
import mdo.devcluster.run.Cluster;

/** {@code GET /v2/deployments} and {@code DELETE /v2/deployments/{id}[?force=true]}. */
final class DeploymentRoutes {
  private final Cluster cluster;

  DeploymentRoutes(Cluster cluster) {
    this.cluster = cluster;
  }

  void list(Context ctx) {
    Http.json(ctx, 200, cluster.deployments());
  }

  /** force=true: 202 and no body; otherwise a revert deployment, 200 {@code {"deploymentId","version"}}. */
  void delete(Context ctx) {
    boolean force = Http.flag(ctx, "force", false);
    Cluster.DeploymentResult revert = cluster.cancelDeployment(ctx.pathParam("id"), force);
    if (force || revert == null) {
      ctx.status(202);
      ctx.contentType("application/json");
      return;
    }
    AppRoutes.deploymentResult(ctx, revert);
  }
}
