package mdo.devcluster.run;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import mdo.devcluster.Json;
import mdo.devcluster.apps.AppSpec;

/** The JSON clients see: task objects (API.md §4.5) and apps with their counts, deployments and tasks (§4.1). */
final class Views {
  private final State state;

  Views(State state) {
    this.state = state;
  }

  ObjectNode task(Instance i) {
    ObjectNode t = Json.object();
    t.put("id", i.taskId);
    t.put("slaveId", state.agentId);
    t.put("host", state.settings.taskHost());
    t.put("state", i.state);
    t.put("startedAt", i.startedAt == null ? null : Json.timestamp(i.startedAt));
    t.put("stagedAt", Json.timestamp(i.stagedAt));
    ArrayNode ports = t.putArray("ports");
    i.hostPorts.forEach(ports::add);
    t.put("version", i.spec.version());
    ArrayNode ips = t.putArray("ipAddresses");
    if (i.startedAt != null) ips.addObject().put("ipAddress", state.settings.taskHost()).put("protocol", "IPv4");
    t.put("appId", i.appId);
    ArrayNode servicePorts = t.putArray("servicePorts");
    for (AppSpec.PortSpec p : i.spec.ports()) servicePorts.add(p.servicePort());
    ArrayNode results = t.putArray("healthCheckResults");
    for (Instance.HealthState h : i.health) {
      if (h.alive == null) continue;
      ObjectNode r = results.addObject();
      r.put("alive", h.alive);
      r.put("consecutiveFailures", h.consecutiveFailures);
      r.put("firstSuccess", time(h.firstSuccess));
      r.put("lastSuccess", time(h.lastSuccess));
      r.put("lastFailure", time(h.lastFailure));
      r.put("lastFailureCause", h.lastFailureCause);
      r.put("instanceId", i.instanceId);
    }
    t.putArray("localVolumes");
    t.put("region", "local");
    t.put("zone", "local");
    t.put("role", "*");
    return t;
  }

  private static String time(Instant instant) {
    return instant == null ? null : Json.timestamp(instant);
  }

  /** The app with counts and deployments, plus tasks and the last failure when asked (GET /v2/apps/{id} asks). */
  ObjectNode app(AppState app, boolean withTasks, boolean withLastFailure) {
    ObjectNode out = app.app.deepCopy();
    int staged = 0;
    int running = 0;
    int healthy = 0;
    int unhealthy = 0;
    ArrayNode tasks = Json.array();
    for (Instance i : state.instancesOf(app.id())) {
      if (!i.alive()) continue;
      tasks.add(task(i));
      if (i.state.equals("TASK_STAGING") || i.state.equals("TASK_STARTING")) staged++;
      if (i.state.equals("TASK_RUNNING")) {
        running++;
        if (Boolean.TRUE.equals(i.healthy())) healthy++;
        if (i.health.stream().anyMatch(h -> Boolean.FALSE.equals(h.alive))) unhealthy++;
      }
    }
    out.put("tasksStaged", staged);
    out.put("tasksRunning", running);
    out.put("tasksHealthy", healthy);
    out.put("tasksUnhealthy", unhealthy);
    ArrayNode deployments = out.putArray("deployments");
    state.deploymentsOf(app.id()).forEach(d -> deployments.addObject().put("id", d.id));
    if (withTasks) out.set("tasks", tasks);
    if (withLastFailure && app.lastTaskFailure != null) out.set("lastTaskFailure", app.lastTaskFailure);
    return out;
  }
}
