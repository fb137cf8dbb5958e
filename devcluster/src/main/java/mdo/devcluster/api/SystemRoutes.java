package mdo.devcluster.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import mdo.devcluster.Json;
import mdo.devcluster.Settings;

/** {@code /ping}, {@code /v2/info}, {@code /v2/leader}: this single node is always the elected leader. */
final class SystemRoutes {
  private final Settings settings;
  private final String frameworkId;
  private volatile int port;

  SystemRoutes(Settings settings, String frameworkId) {
    this.settings = settings;
    this.frameworkId = frameworkId;
  }

  void port(int boundPort) {
    this.port = boundPort;
  }

  String leader() {
    return settings.host() + ":" + port;
  }

  /** {@code pong} as text, or the JSON string {@code "pong"} when JSON is preferred (SystemResource.scala). */
  void ping(Context ctx) {
    String accept = ctx.header("Accept");
    if (accept != null && accept.startsWith("application/json")) {
      ctx.contentType("application/json").result("\"pong\"");
    } else {
      ctx.contentType("text/plain").result("pong");
    }
  }

  void info(Context ctx) {
    ObjectNode info = Json.object();
    info.put("name", "marathon");
    info.put("version", settings.marathon().version().release());
    info.put("buildref", "mdo-devcluster");
    info.put("elected", true);
    info.put("leader", leader());
    info.put("frameworkId", frameworkId);
    ObjectNode config = info.putObject("marathon_config");
    config.putArray("access_control_allow_origin");
    config.put("checkpoint", false);
    config.putNull("default_network_name");
    config.put("env_vars_prefix", "");
    config.put("executor", "//cmd");
    settings.marathon().features().stream().sorted().forEach(config.putArray("features")::add);
    config.put("framework_name", "marathon");
    config.put("ha", false);
    config.put("hostname", settings.taskHost());
    config.put("local_port_max", 20000);
    config.put("local_port_min", 10000);
    config.put("master", "local");
    config.put("mesos_role", "*");
    config.put("mesos_user", System.getProperty("user.name"));
    config.put("webui_url", "http://" + leader());
    config.put("max_running_deployments", settings.marathon().maxRunningDeployments());
    ObjectNode zk = info.putObject("zookeeper_config");
    zk.put("zk", "");
    if (!settings.marathon().version().atLeast(5)) {
      // 1.4 names its event subscriber (InfoResource@r1.4): null, or the http_callback type and its endpoints.
      if (settings.marathon().httpCallbacks()) {
        info.putObject("event_subscriber").put("type", "http_callback").putNull("http_endpoints");
      } else {
        info.putNull("event_subscriber");
      }
    }
    ObjectNode http = info.putObject("http_config");
    http.put("http_port", port);
    http.put("https_port", 8443);
    Http.json(ctx, 200, info);
  }

  void leaderGet(Context ctx) {
    Http.json(ctx, 200, Json.object().put("leader", leader()));
  }
}
