package mdo.devcluster.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import mdo.devcluster.MarathonVersion;
import mdo.devcluster.apps.AppSpec;
import mdo.devcluster.apps.PathIds;

/**
 * One instance of an app and its current task. Since Marathon 1.8 a relaunch keeps the instance id and bumps the
 * incarnation, so the same instance produces task ids {@code <safePath>.instance-<uuid>._app.1}, {@code ._app.2}, …
 * (API.md §1.5). Up to 1.7 the ids are {@code <safePath>.marathon-<uuid>} and {@code <safePath>.<uuid>}, and a
 * relaunch is a new instance. Only the cluster's actor thread touches it.
 */
final class Instance {
  enum Goal { RUN, STOP }

  final String instanceId;
  final String appId;
  private final String uuid;
  private final boolean stableIds;
  final Instant createdAt = Instant.now();
  int incarnation;
  String taskId;
  /** The definition it runs, or will run once launched. */
  AppSpec spec;
  /** Since when it waits in the launch queue (scheduled, or backing off before a relaunch); null once launched. */
  Instant queuedAt;
  /** Mesos state of the current task; null while waiting to be relaunched. */
  String state;
  String message = "";
  Instant stagedAt;
  Instant startedAt;
  List<Integer> hostPorts = List.of();
  List<Integer> effectivePorts = List.of();
  List<Integer> heldPorts = List.of();
  Process process;
  /** The task's container, for an image task; null for a local process. */
  TaskLauncher.Container container;
  Goal goal = Goal.RUN;
  /** Why the current task is being killed (scale, replace, delete, unhealthy, api), or null. */
  String killReason;
  Instant killDeadline;
  /** Set while the instance waits out its launch backoff. */
  Instant relaunchAt;
  final List<HealthState> health = new ArrayList<>();
  /** Changes with every task, so stale health-check results and timers can be recognized. */
  long generation;

  private Instance(String appId, AppSpec spec, boolean stableIds) {
    this.uuid = UUID.randomUUID().toString();
    this.stableIds = stableIds;
    this.instanceId = PathIds.safe(appId) + (stableIds ? ".instance-" : ".marathon-") + uuid;
    this.appId = appId;
    this.spec = spec;
  }

  /** A new instance in the launch queue, due now. */
  static Instance scheduled(AppSpec spec, MarathonVersion version, Instant now) {
    Instance i = new Instance(spec.id(), spec, version.atLeast(8));
    i.relaunchAt = now;
    i.queuedAt = now;
    return i;
  }

  /** A relaunch keeps the instance from 1.8 on; up to 1.7 each launch is a new instance with a new id. */
  boolean relaunchesInPlace() {
    return stableIds;
  }

  /** The next task id of this instance. */
  String nextTaskId() {
    incarnation++;
    return stableIds ? instanceId + "._app." + incarnation : PathIds.safe(appId) + "." + uuid;
  }

  boolean alive() {
    return state != null && !Tasks.isTerminal(state);
  }

  boolean waiting() {
    return state == null && relaunchAt != null;
  }

  boolean killing() {
    return killReason != null && alive();
  }

  boolean running() {
    return "TASK_RUNNING".equals(state) && killReason == null;
  }

  /** Aggregate health: null until every check has a verdict (or there are no checks). */
  Boolean healthy() {
    if (health.isEmpty() || !running()) return null;
    boolean all = true;
    for (HealthState h : health) {
      if (h.alive == null) return null;
      all &= h.alive;
    }
    return all;
  }

  /** Counts towards a deployment: running, and healthy when the app has health checks. */
  boolean ready() {
    return running() && (health.isEmpty() || Boolean.TRUE.equals(healthy()));
  }

  /** {@code Instance.consideredHealthy}: no checks configured, or all of them passing (running or not). */
  boolean consideredHealthy() {
    return !spec.hasHealthChecks() || Boolean.TRUE.equals(healthy());
  }

  /** One health check's running verdict, as reported in {@code healthCheckResults}. */
  static final class HealthState {
    final AppSpec.HealthCheckSpec check;
    Boolean alive;
    int consecutiveFailures;
    Instant firstSuccess;
    Instant lastSuccess;
    Instant lastFailure;
    String lastFailureCause;

    HealthState(AppSpec.HealthCheckSpec check) {
      this.check = check;
    }
  }
}
