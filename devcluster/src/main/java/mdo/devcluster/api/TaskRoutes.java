package mdo.devcluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import mdo.devcluster.ApiException;
import mdo.devcluster.Json;
import mdo.devcluster.MarathonVersion;
import mdo.devcluster.run.Cluster;

/** {@code GET /v2/tasks[?status=running|staging]} and {@code POST /v2/tasks/delete}. */
final class TaskRoutes {
  private final Cluster cluster;
  private final MarathonVersion version;

  TaskRoutes(Cluster cluster, MarathonVersion version) {
    this.cluster = cluster;
    this.version = version;
  }

  void list(Context ctx) {
    Set<String> wanted = new HashSet<>();
    List<String> statuses = new ArrayList<>(ctx.queryParams("status"));
    statuses.addAll(ctx.queryParams("status[]"));
    for (String status : statuses) {
      switch (status.toLowerCase()) {
        case "running" -> wanted.add("TASK_RUNNING");
        case "staging" -> {
          wanted.add("TASK_STAGING");
          wanted.add("TASK_STARTING");
        }
        default -> { }
      }
    }
    ObjectNode body = Json.object();
    body.set("tasks", cluster.tasks(null, s -> statuses.isEmpty() || wanted.contains(s)));
    Http.json(ctx, 200, body);
  }

  void delete(Context ctx) {
    JsonNode body = Http.body(ctx);
    if (!body.path("ids").isArray()) {
      throw ApiException.invalidJson(version.atLeast(5) ? 422 : 400,
          List.of(ApiException.Detail.of("/ids", "error.path.missing")));
    }
    boolean scale = Http.flag(ctx, "scale", false);
    if (scale && Http.flag(ctx, "wipe", false)) throw ApiException.message(400, "You cannot use scale and wipe at the same time.");
    List<String> ids = new ArrayList<>();
    for (JsonNode id : body.get("ids")) {
      if (!id.isTextual() || !id.asText().contains(".")) {
        throw ApiException.message(400, "Invalid task id '" + id.asText() + "'");
      }
      ids.add(id.asText());
    }
    Object result = cluster.killTasks(null, ids, scale, Http.flag(ctx, "force", false));
    if (result instanceof Cluster.DeploymentResult d) {
      AppRoutes.deploymentResult(ctx, d);
    } else {
      ObjectNode out = Json.object();
      out.set("tasks", (ArrayNode) result);
      Http.json(ctx, 200, out);
    }
  }
}
