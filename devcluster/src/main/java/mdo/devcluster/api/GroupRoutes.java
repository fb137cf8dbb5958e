package mdo.devcluster.api;

import io.javalin.http.Context;
import java.util.List;
import mdo.devcluster.apps.PathIds;
import mdo.devcluster.run.Cluster;

/**
 * {@code GET /v2/groups} and {@code GET /v2/groups/<id>}, the groups implied by the app ids ({@code
 * api/v2/GroupsResource.scala}). Without {@code embed} apps, pods and groups are embedded, as Marathon does for
 * backward compatibility; {@code embed=group.apps} / {@code embed=group.groups} narrow it.
 */
final class GroupRoutes {
  private final Cluster cluster;

  GroupRoutes(Cluster cluster) {
    this.cluster = cluster;
  }

  void root(Context ctx) {
    answer(ctx, "/");
  }

  void group(Context ctx) {
    answer(ctx, PathIds.canonical(ctx.pathParam("rest")));
  }

  private void answer(Context ctx, String groupId) {
    List<String> embed = ctx.queryParams("embed");
    boolean all = embed.isEmpty();
    boolean apps = all || embed.contains("group.apps");
    boolean groups = all || embed.contains("group.groups");
    Http.json(ctx, 200, cluster.group(groupId, apps, groups));
  }
}
