package mdo.devcluster.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import mdo.devcluster.Json;
import mdo.devcluster.Settings;
import mdo.devcluster.apps.PathIds;
import mdo.devcluster.events.EventBus;

/** Everything the cluster knows; touched only on the actor thread. */
final class State {
  final Settings settings;
  final EventBus bus;
  final ScheduledExecutorService actor;
  /** The single "agent": a Mesos-style agent id, constant for the life of the dev cluster. */
  final String agentId = UUID.randomUUID() + "-S0";
  final Map<String, AppState> apps = new TreeMap<>();
  final Map<String, Instance> instances = new LinkedHashMap<>();
  final Map<String, Deployment> deployments = new LinkedHashMap<>();
  /**
   * Group ids and their versions. Groups come into being with the first app below them and stay when it goes, as in
   * Marathon (only {@code DELETE /v2/groups} removes one, which the dev cluster does not serve).
   */
  final Map<String, String> groups = new TreeMap<>();
  private Instant lastVersion = Instant.EPOCH;
  /** Set once shutdown begins: from then on nothing is launched. */
  boolean closing;

  State(Settings settings, EventBus bus, ScheduledExecutorService actor) {
    this.settings = settings;
    this.bus = bus;
    this.actor = actor;
    groups.put("/", nextVersion());
  }

  /** A change to an app is a change to its group and every group above it, which all take its version. */
  void touchGroups(String appId, String version) {
    for (String group = PathIds.parent(appId); ; group = PathIds.parent(group)) {
      groups.put(group, version);
      if (group.equals("/")) return;
    }
  }

  /** A new version timestamp, strictly later than the previous one (versions identify app definitions). */
  String nextVersion() {
    long millis = Math.max(System.currentTimeMillis(), lastVersion.toEpochMilli() + 1);
    lastVersion = Instant.ofEpochMilli(millis);
    return Json.timestamp(lastVersion);
  }

  List<Instance> instancesOf(String appId) {
    List<Instance> out = new ArrayList<>();
    for (Instance i : instances.values()) {
      if (i.appId.equals(appId)) out.add(i);
    }
    return out;
  }

  List<Deployment> deploymentsOf(String appId) {
    return deployments.values().stream().filter(d -> d.appId.equals(appId)).toList();
  }

  Instance byTaskId(String taskId) {
    for (Instance i : instances.values()) {
      if (taskId.equals(i.taskId)) return i;
    }
    return null;
  }
}
