package mdo.marathon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import mdo.testkit.Payloads;

/**
 * Test data built from the recorded Marathon payloads: apps from the networking fixtures with mdo's labels, tasks in
 * the shape of {@code tasks_get_response.json}, and events from {@code status_update_event.sse-task-running.json} with
 * the fields a test needs replaced.
 */
final class Fixtures {
  static final ObjectMapper JSON = new ObjectMapper();

  private Fixtures() {}

  static ObjectNode app(String fixture, String env, String service, String version) {
    ObjectNode app = Payloads.marathonJson(fixture);
    app.put("id", "/" + env + "/" + service).put("version", version);
    app.putObject("labels").put("MDO_SERVICE", service).put("MDO_ENVIRONMENT", env).put("team", "storage");
    return app;
  }

  /** The bridge app of the 1.5 networking guide: one port mapping named {@code web}, container port 80. */
  static ObjectNode bridgeApp(String env, String service, String version) {
    return app("networking-1.4-vs-1.5/bridge-net-new.json", env, service, version);
  }

  static ObjectNode task(String appId, String taskId, String host, List<Integer> ports, String version, String state) {
    ObjectNode t = (ObjectNode) Payloads.marathonJson("tasks_get_response.json").path("tasks").get(0);
    t.put("id", taskId).put("appId", appId).put("host", host).put("version", version).put("state", state);
    ArrayNode p = t.putArray("ports");
    ports.forEach(p::add);
    return t;
  }

  static String status(String appId, String taskId, String state, String timestamp, List<Integer> ports,
      String version) {
    ObjectNode e = Payloads.marathonJson("events/status_update_event.sse-task-running.json");
    e.put("appId", appId).put("taskId", taskId).put("taskStatus", state).put("timestamp", timestamp)
        .put("version", version);
    ArrayNode p = e.putArray("ports");
    ports.forEach(p::add);
    return e.toString();
  }


  static String uuid(int n) {
    return String.format("%08x-0000-1000-8000-%012x", n, n);
  }
}
