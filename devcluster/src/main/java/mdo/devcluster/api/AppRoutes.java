package mdo.devcluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mdo.devcluster.ApiException;
import mdo.devcluster.Json;
import mdo.devcluster.MarathonVersion;
import mdo.devcluster.apps.PathIds;
import mdo.devcluster.run.Cluster;

/**
 * {@code /v2/apps} and everything under it. App ids contain slashes, so one wildcard route per method dispatches on
 * the suffix: {@code /restart}, {@code /tasks}, {@code /tasks/<taskId>}, {@code /versions[/<v>]}. Since Marathon
 * 1.8 no app id may end in those words, so the split is unambiguous.
 */
final class AppRoutes {
  private static final Pattern TASK = Pattern.compile("^(.*)/tasks/([^/]+)$");
  private static final Pattern VERSION = Pattern.compile("^(.*)/versions/([^/]+)$");
  private final Cluster cluster;
  private final MarathonVersion version;

  AppRoutes(Cluster cluster, MarathonVersion version) {
    this.cluster = cluster;
    this.version = version;
  }

  void create(Context ctx) {
    ObjectNode app = cluster.createApp(Http.body(ctx), ctx.ip(), ctx.path());
    String deploymentId = app.path("deployments").path(0).path("id").asText();
    ctx.header("Location", base(ctx) + "/v2/apps" + app.get("id").asText());
    ctx.header("Marathon-Deployment-Id", deploymentId);
    Http.json(ctx, 201, app);
  }

  void list(Context ctx) {
    Predicate<ObjectNode> filter = filter(ctx);
    ArrayNode apps = cluster.apps(filter, Http.embeds(ctx, "tasks"), Http.embeds(ctx, "lastTaskFailure"));
    ObjectNode body = Json.object();
    body.set("apps", apps);
    Http.json(ctx, 200, body);
  }

  /** {@code cmd} and {@code id} are substring filters; {@code label} takes {@code key}, {@code key==v}, {@code key!=v}. */
  private static Predicate<ObjectNode> filter(Context ctx) {
    String cmd = ctx.queryParam("cmd");
    String id = ctx.queryParam("id");
    String label = ctx.queryParam("label");
    return app -> {
      if (cmd != null && !app.path("cmd").asText("").contains(cmd)) return false;
      if (id != null && !app.path("id").asText().contains(id)) return false;
      if (label != null && !labelMatches(app.path("labels"), label)) return false;
      return true;
    };
  }

  private static boolean labelMatches(JsonNode labels, String selector) {
    for (String term : selector.split(",")) {
      String t = term.trim();
      if (t.contains("!=")) {
        String[] kv = t.split("!=", 2);
        if (kv[1].equals(labels.path(kv[0]).asText(null))) return false;
      } else if (t.contains("==")) {
        String[] kv = t.split("==", 2);
        if (!kv[1].equals(labels.path(kv[0]).asText(null))) return false;
      } else if (!labels.has(t)) {
        return false;
      }
    }
    return true;
  }

  void get(Context ctx) {
    String path = rest(ctx);
    Matcher version = VERSION.matcher(path);
    if (path.endsWith("/tasks")) {
      ObjectNode body = Json.object();
      body.set("tasks", cluster.tasks(appId(path.substring(0, path.length() - 6)), s -> true));
      Http.json(ctx, 200, body);
    } else if (path.endsWith("/versions")) {
      ObjectNode body = Json.object();
      body.set("versions", cluster.versions(appId(path.substring(0, path.length() - 9))));
      Http.json(ctx, 200, body);
    } else if (version.matches()) {
      Http.json(ctx, 200, cluster.appVersion(appId(version.group(1)), version.group(2)));
    } else if (path.endsWith("/*")) {
      String group = appIdOrRoot(path.substring(0, path.length() - 2));
      ObjectNode body = Json.object();
      body.set("*", cluster.apps(app -> app.get("id").asText().startsWith(group.equals("/") ? "/" : group + "/"),
          true, true));
      Http.json(ctx, 200, body);
    } else {
      ObjectNode body = Json.object();
      body.set("app", cluster.app(appId(path)));
      Http.json(ctx, 200, body);
    }
  }

  void post(Context ctx) {
    String path = rest(ctx);
    if (!path.endsWith("/restart")) throw new RouteNotFound();
    deploymentResult(ctx, cluster.restartApp(appId(path.substring(0, path.length() - 8)), Http.flag(ctx, "force", false)));
  }

  void put(Context ctx) {
    update(ctx, Http.flag(ctx, "partialUpdate", true), true);
  }

  void patch(Context ctx) {
    update(ctx, true, false);
  }

  private void update(Context ctx, boolean partial, boolean mayCreate) {
    List<String> idErrors = PathIds.errors(rest(ctx), version);
    if (!idErrors.isEmpty()) {
      throw ApiException.invalid(idErrors.stream().map(e -> ApiException.Detail.of("/id", e)).toList());
    }
    String appId = appId(rest(ctx));
    JsonNode body = Http.body(ctx);
    Cluster.DeploymentResult result = cluster.updateApp(appId, body, partial, Http.flag(ctx, "force", false),
        mayCreate, ctx.ip(), ctx.path());
    if (result.created()) ctx.header("Location", base(ctx) + "/v2/apps" + appId);
    deploymentResult(ctx, result);
  }

  void delete(Context ctx) {
    String path = rest(ctx);
    Matcher task = TASK.matcher(path);
    boolean scale = Http.flag(ctx, "scale", false);
    boolean force = Http.flag(ctx, "force", false);
    if (task.matches()) {
      Object result = cluster.killTasks(appId(task.group(1)), List.of(task.group(2)), scale, force);
      if (result instanceof Cluster.DeploymentResult d) {
        deploymentResult(ctx, d);
      } else {
        ArrayNode killed = (ArrayNode) result;
        ObjectNode body = Json.object();
        body.set("task", killed.get(0));
        Http.json(ctx, 200, body);
      }
    } else if (path.endsWith("/tasks")) {
      String appId = appId(path.substring(0, path.length() - 6));
      String host = ctx.queryParam("host");
      List<String> ids = new ArrayList<>();
      for (JsonNode t : cluster.tasks(appId, s -> true)) {
        if (host == null || host.equals(t.path("host").asText())) ids.add(t.path("id").asText());
      }
      Object result = cluster.killTasks(appId, ids, scale, force);
      if (result instanceof Cluster.DeploymentResult d) {
        deploymentResult(ctx, d);
      } else {
        ObjectNode body = Json.object();
        body.set("tasks", (ArrayNode) result);
        Http.json(ctx, 200, body);
      }
    } else {
      deploymentResult(ctx, cluster.deleteApp(appId(path), Http.flag(ctx, "force", true)));
    }
  }

  static void deploymentResult(Context ctx, Cluster.DeploymentResult result) {
    ctx.header("Marathon-Deployment-Id", result.deploymentId());
    Http.json(ctx, result.created() ? 201 : 200, result.body());
  }

  private static String rest(Context ctx) {
    return ctx.pathParam("rest");
  }

  /** A path id from the URL; an invalid one cannot name an existing app, so it is "does not exist". */
  private String appId(String raw) {
    String canonical = PathIds.canonical(raw);
    if (!PathIds.errors(raw, version).isEmpty()) throw ApiException.appNotFound(canonical);
    return canonical;
  }

  private String appIdOrRoot(String raw) {
    return raw.isEmpty() || raw.equals("/") ? "/" : appId(raw);
  }

  private static String base(Context ctx) {
    return ctx.scheme() + "://" + ctx.host();
  }
}
