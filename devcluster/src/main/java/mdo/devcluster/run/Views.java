package mdo.devcluster.run;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import mdo.devcluster.Json;
import mdo.devcluster.apps.AppSpec;
import mdo.devcluster.apps.PathIds;

/**
 * The JSON clients see: task objects (API.md §4.5), apps with their counts, deployments and tasks (§4.1), launch
 * queue entries ({@code raml/QueueInfoConversion.scala}) and groups ({@code DefaultInfoService.queryGroup}).
 */
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

  /**
   * One {@code /v2/queue} entry: {@code count, [role], delay, since, processedOffersSummary, [lastUnusedOffers],
   * app}, in the order of {@code QueueApp}; {@code role} exists from 1.9.
   *
   * @param queued the app's instances waiting to be launched, at least one
   */
  ObjectNode queueEntry(AppState app, List<Instance> queued, boolean withLastUnusedOffers, Instant now) {
    ObjectNode out = Json.object();
    out.put("count", queued.size());
    if (state.settings.marathon().version().atLeast(9)) out.put("role", "*");
    Instant backOffUntil = null;
    Instant since = null;
    for (Instance i : queued) {
      if (i.relaunchAt.isAfter(now) && (backOffUntil == null || i.relaunchAt.isBefore(backOffUntil))) {
        backOffUntil = i.relaunchAt;
      }
      if (since == null || i.queuedAt.isBefore(since)) since = i.queuedAt;
    }
    ObjectNode delay = out.putObject("delay");
    delay.put("timeLeftSeconds", backOffUntil == null ? 0 : Duration.between(now, backOffUntil).toSeconds());
    delay.put("overdue", backOffUntil == null);
    out.put("since", Json.timestamp(since));
    out.set("processedOffersSummary", app.offers.summary());
    if (withLastUnusedOffers) {
      ArrayNode unused = out.putArray("lastUnusedOffers");
      Placement.Rejection last = app.offers.lastRejection();
      if (last != null) {
        ObjectNode entry = unused.addObject();
        entry.set("offer", offer());
        entry.put("timestamp", Json.timestamp(app.offers.lastUnusedAt()));
        entry.putArray("reason").add(last.reason());
      }
    }
    out.set("app", app.app.deepCopy());
    return out;
  }

  /** The agent's offer as {@code offer.raml} shows it; only the resource the dev cluster accounts, ports. */
  private ObjectNode offer() {
    ObjectNode offer = Json.object();
    offer.put("id", state.agentId.replace("-S0", "-O0"));
    offer.put("hostname", state.settings.taskHost());
    offer.put("agentId", state.agentId);
    ObjectNode ports = offer.putArray("resources").addObject().put("name", "ports").put("role", "*");
    ArrayNode ranges = ports.putArray("ranges");
    state.settings.agentPorts().ranges().forEach(r -> ranges.addObject().put("begin", r.begin()).put("end", r.end()));
    offer.putArray("attributes");
    return offer;
  }

  /**
   * A group as {@code GET /v2/groups[/<id>]} shows it ({@code raml.GroupInfo}: id, apps, pods, groups, dependencies,
   * version, and enforceRole from 1.9). Apps are their plain definitions, as with the default embeds.
   */
  ObjectNode group(String groupId, boolean withApps, boolean withGroups) {
    ObjectNode out = Json.object();
    out.put("id", groupId);
    ArrayNode apps = out.putArray("apps");
    if (withApps) {
      for (AppState app : state.apps.values()) {
        if (PathIds.parent(app.id()).equals(groupId)) apps.add(app.app.deepCopy());
      }
    }
    out.putArray("pods");
    ArrayNode groups = out.putArray("groups");
    if (withGroups) {
      for (String child : state.groups.keySet()) {
        if (!child.equals("/") && PathIds.parent(child).equals(groupId)) groups.add(group(child, withApps, true));
      }
    }
    out.putArray("dependencies");
    out.put("version", state.groups.get(groupId));
    if (state.settings.marathon().version().atLeast(9)) out.put("enforceRole", false);
    return out;
  }
}
