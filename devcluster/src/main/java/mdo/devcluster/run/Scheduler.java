package mdo.devcluster.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import mdo.devcluster.Json;
import mdo.devcluster.apps.AppSpec;
import mdo.devcluster.events.Events;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives every app towards its definition on the actor thread, as Marathon's launch queue and deployment actors do:
 * schedules instances, launches them when the agent's offer fits ({@link Placement}; declined offers are counted
 * for {@code /v2/queue} and retried one allocation interval later), relaunches failed ones with backoff, replaces old
 * ones within {@code upgradeStrategy} ({@link Upgrade}), kills surplus ones (SIGTERM, then SIGKILL after the grace
 * period), and reports every change as {@code status_update_event} + {@code instance_changed_event}.
 */
final class Scheduler {
  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
  /** A task that ran this long before it failed resets the app's launch backoff. */
  static final Duration BACKOFF_RESET_AFTER = Duration.ofSeconds(30);
  /** Mesos's default allocation interval: after a declined offer the agent is offered again this much later. */
  static final Duration OFFER_INTERVAL = Duration.ofSeconds(1);

  private final State state;
  private final PortAllocator ports;
  private final Placement placement;
  private final TaskLauncher launcher;
  private HealthMonitor health;

  Scheduler(State state, PortAllocator ports, TaskLauncher launcher) {
    this.state = state;
    this.ports = ports;
    this.placement = new Placement(state.settings.taskHost(), ports);
    this.launcher = launcher;
  }

  void health(HealthMonitor monitor) {
    this.health = monitor;
  }

  java.nio.file.Path sandbox(String taskId) {
    return launcher.sandbox(taskId);
  }

  /** Queues a reconcile pass behind whatever the actor is doing now. */
  void reconcileLater() {
    state.actor.execute(this::reconcile);
  }

  /** One pass over every app and instance; cheap, so it runs after every change and on a short tick. */
  void reconcile() {
    if (state.closing) return;
    Instant now = Instant.now();
    for (Instance instance : List.copyOf(state.instances.values())) {
      if (!state.apps.containsKey(instance.appId)) stop(instance, "delete");
      if (instance.killing() && instance.killDeadline != null && now.isAfter(instance.killDeadline)) {
        forceKill(instance);
      }
    }
    for (AppState app : List.copyOf(state.apps.values())) {
      reconcile(app, now);
    }
  }

  private void reconcile(AppState app, Instant now) {
    Upgrade upgrade = app.upgrade;
    // A restart waits for its deployment step to begin (deployment_info first, as in Marathon).
    if (upgrade != null && !upgrade.begun()) return;
    List<Instance> current = new ArrayList<>();
    List<Instance> old = new ArrayList<>();
    for (Instance i : state.instancesOf(app.id())) {
      if (i.goal == Instance.Goal.STOP) continue;
      (i.spec.configVersion().equals(app.spec.configVersion()) ? current : old).add(i);
    }
    if (upgrade != null) {
      replace(app, upgrade, current);
    } else {
      scale(app, current, old);
    }
    place(app, now);
  }

  /** A TaskReplaceActor step; see {@link Upgrade}. */
  private void replace(AppState app, Upgrade upgrade, List<Instance> current) {
    forgetGoneOld(upgrade);
    for (Instance i : current) {
      if (i.ready()) {
        upgrade.newReady(i.instanceId);
      } else if (!i.alive()) {
        upgrade.newTerminated(i.instanceId);
      }
    }
    for (String id = upgrade.nextKill(); id != null; id = upgrade.nextKill()) {
      Instance o = state.instances.get(id);
      if (o != null && o.goal == Instance.Goal.RUN) stop(o, "replace");
    }
    forgetGoneOld(upgrade);
    int launch = upgrade.toLaunch(app.spec.instances());
    for (int n = 0; n < launch; n++) schedule(app);
  }

  /** Old instances that are gone; one whose task ended while it should run is decommissioned, not relaunched. */
  private void forgetGoneOld(Upgrade upgrade) {
    for (String id : upgrade.oldActive()) {
      Instance o = state.instances.get(id);
      if (o != null && o.goal == Instance.Goal.RUN && o.waiting() && o.incarnation > 0) stop(o, "replace");
      if (!state.instances.containsKey(id)) upgrade.oldGone(id);
    }
  }

  /**
   * Outside a restart every instance counts towards {@code instances}, whatever its definition (Marathon's
   * {@code ScalingProposition}): surplus ones are killed, not yet launched ones first, then old definitions, then by
   * {@code killSelection} (youngest first by default); missing ones are scheduled with the current definition.
   */
  private void scale(AppState app, List<Instance> current, List<Instance> old) {
    List<Instance> live = new ArrayList<>(current);
    for (Instance o : old) {
      if (o.waiting()) {
        stop(o, "replace");
      } else {
        live.add(o);
      }
    }
    int target = app.spec.instances();
    if (live.size() > target) {
      Comparator<Instant> age = app.spec.oldestFirst() ? Comparator.naturalOrder() : Comparator.reverseOrder();
      live.sort(Comparator.comparing((Instance i) -> !i.waiting())
          .thenComparing(i -> i.spec.configVersion().equals(app.spec.configVersion()))
          .thenComparing(i -> i.createdAt, age));
      for (Instance surplus : live.subList(0, live.size() - target)) stop(surplus, "scale");
    }
    for (int n = live.size(); n < target; n++) schedule(app);
  }

  /** Puts a new instance of the current definition into the launch queue. */
  private void schedule(AppState app) {
    Instance instance = Instance.scheduled(app.spec, state.settings.marathon().version(), Instant.now());
    state.instances.put(instance.instanceId, instance);
    // 1.8+ keeps scheduled instances in the instance tracker and announces them (InstanceUpdateOpResolver, Schedule).
    if (state.settings.marathon().version().atLeast(8)) state.bus.publish(Events.instanceChanged(unplaced(instance)));
  }

  /**
   * Offers the agent to the app's due instances, one after another, until one is declined; a declined offer is
   * counted with its reason, and the agent is offered again after {@link #OFFER_INTERVAL}.
   */
  private void place(AppState app, Instant now) {
    List<Instance> queued = new ArrayList<>();
    for (Instance i : state.instancesOf(app.id())) {
      if (i.goal == Instance.Goal.RUN && i.waiting()) queued.add(i);
    }
    if (queued.isEmpty()) {
      app.offers.reset();
      return;
    }
    if (now.isBefore(app.nextOfferAt)) return;
    queued.sort(Comparator.comparing((Instance i) -> i.queuedAt));
    for (Instance i : queued) {
      if (now.isBefore(i.relaunchAt) || !i.spec.configVersion().equals(app.spec.configVersion())) continue;
      Placement.Rejection rejection = placement.check(app.spec, placed(app.id()));
      if (rejection != null) {
        Placement.Rejection before = app.offers.lastRejection();
        if (before == null || !before.detail().equals(rejection.detail())) {
          log.warn("waiting: {} declined the offer of {} for {}: {}", app.id(), state.settings.taskHost(),
              rejection.reason(), rejection.detail());
        }
        app.offers.declined(rejection, now);
        app.nextOfferAt = now.plus(OFFER_INTERVAL);
        return;
      }
      app.offers.used(now);
      launch(i, app.spec);
    }
  }

  /** The app's instances holding a place on the agent: launched and not yet terminal, any goal or version. */
  private List<Instance> placed(String appId) {
    List<Instance> out = new ArrayList<>();
    for (Instance i : state.instancesOf(appId)) if (i.alive()) out.add(i);
    return out;
  }

  /** Starts (or restarts, with the next incarnation) the instance's task. */
  void launch(Instance instance, AppSpec spec) {
    instance.spec = spec;
    instance.taskId = instance.nextTaskId();
    instance.generation++;
    instance.relaunchAt = null;
    instance.queuedAt = null;
    instance.killReason = null;
    instance.killDeadline = null;
    instance.message = "";
    instance.process = null;
    instance.container = null;
    instance.stagedAt = Instant.now();
    instance.startedAt = null;
    instance.health.clear();
    spec.healthChecks().forEach(check -> instance.health.add(new Instance.HealthState(check)));
    instance.state = "TASK_STAGING";
    try {
      allocatePorts(instance, spec);
    } catch (IllegalStateException e) {
      publishLaunch(instance);
      finished(instance, "TASK_FAILED", "Failed to allocate ports: " + e.getMessage());
      return;
    }
    publishLaunch(instance);
    Map<String, String> env = TaskEnvironment.build(spec, instance.taskId, state.settings.taskHost(),
        instance.effectivePorts);
    Process process;
    try {
      process = launcher.start(instance, env);
    } catch (TaskLauncher.LaunchException e) {
      finished(instance, "TASK_FAILED", e.getMessage());
      return;
    }
    instance.process = process;
    instance.state = "TASK_STARTING";
    publish(instance);
    instance.state = "TASK_RUNNING";
    instance.startedAt = Instant.now();
    publish(instance);
    log.info("started: {} {} pid {} ports {}", instance.appId, instance.taskId, process.pid(), instance.hostPorts);
    long generation = instance.generation;
    process.onExit().thenRun(() -> state.actor.execute(() -> exited(instance, generation)));
    if (!instance.health.isEmpty()) health.start(instance, env);
  }

  private void allocatePorts(Instance instance, AppSpec spec) {
    List<Integer> effective = new ArrayList<>();
    List<Integer> host = new ArrayList<>();
    List<Integer> held = new ArrayList<>();
    try {
      for (AppSpec.PortSpec port : spec.ports()) {
        int value;
        if (port.hostPort() == null) {
          value = port.containerPort() != 0 ? port.containerPort() : ports.dynamic();
          if (port.containerPort() == 0) held.add(value);
        } else if (port.hostPort() == 0) {
          value = ports.dynamic();
          held.add(value);
          host.add(value);
        } else {
          ports.fixed(port.hostPort());
          value = port.hostPort();
          held.add(value);
          host.add(value);
        }
        effective.add(value);
      }
    } catch (IllegalStateException e) {
      ports.release(held);
      throw e;
    }
    instance.effectivePorts = List.copyOf(effective);
    instance.hostPorts = List.copyOf(host);
    instance.heldPorts = List.copyOf(held);
  }

  private void exited(Instance instance, long generation) {
    if (generation != instance.generation || !instance.alive()) return;
    int code = instance.process.exitValue();
    ProcessGroups.killGroupRemains(instance.process.pid());
    String message = code > 128 ? "Command terminated with signal " + signalName(code - 128)
        : "Command exited with status " + code;
    if (instance.killReason != null) {
      finished(instance, "TASK_KILLED", message);
    } else {
      finished(instance, code == 0 ? "TASK_FINISHED" : "TASK_FAILED", message);
    }
    reconcile();
  }

  private static String signalName(int signal) {
    return switch (signal) {
      case 9 -> "Killed";
      case 15 -> "Terminated";
      case 2 -> "Interrupt";
      case 6 -> "Aborted";
      case 11 -> "Segmentation fault";
      default -> "signal " + signal;
    };
  }

  /**
   * The task reached a terminal state: report it, free its ports, then relaunch the instance if it should still run
   * (at once when we killed it, after the backoff when it failed), or forget it.
   */
  private void finished(Instance instance, String terminalState, String message) {
    String reason = instance.killReason;
    instance.state = terminalState;
    instance.message = message;
    instance.generation++;
    ports.release(instance.heldPorts);
    instance.heldPorts = List.of();
    if (instance.taskId != null) launcher.forgetPid(instance.taskId);
    publish(instance);
    log.info("{}: {} {} ({})", terminalState.substring(5).toLowerCase(), instance.appId, instance.taskId, message);
    AppState app = state.apps.get(instance.appId);
    boolean relaunch = app != null && instance.goal == Instance.Goal.RUN
        && instance.spec.configVersion().equals(app.spec.configVersion());
    if (!relaunch) {
      state.instances.remove(instance.instanceId);
      return;
    }
    Instant now = Instant.now();
    Instant at = now;
    if (reason == null) {
      if (terminalState.equals("TASK_FAILED")) app.lastTaskFailure = lastTaskFailure(instance);
      boolean ranLong = instance.startedAt != null
          && Duration.between(instance.startedAt, now).compareTo(BACKOFF_RESET_AFTER) > 0;
      app.launchFailures = ranLong ? 1 : app.launchFailures + 1;
      double delay = Math.min(app.spec.maxLaunchDelaySeconds(),
          app.spec.backoffSeconds() * Math.pow(app.spec.backoffFactor(), app.launchFailures - 1));
      at = now.plusMillis((long) (delay * 1000));
      log.info("backing off: {} relaunches {} in {} s", instance.appId, instance.instanceId,
          String.format("%.2f", delay));
    }
    if (instance.relaunchesInPlace()) {
      instance.state = null;
      instance.relaunchAt = at;
      instance.queuedAt = now;
    } else {
      state.instances.remove(instance.instanceId);
      Instance next = Instance.scheduled(app.spec, state.settings.marathon().version(), at);
      next.queuedAt = now;
      state.instances.put(next.instanceId, next);
    }
  }

  private ObjectNode lastTaskFailure(Instance instance) {
    ObjectNode failure = Json.object();
    failure.put("appId", instance.appId);
    failure.put("host", state.settings.taskHost());
    failure.put("message", instance.message);
    failure.put("state", instance.state);
    failure.put("taskId", instance.taskId);
    failure.put("timestamp", Json.timestamp(Instant.now()));
    failure.put("version", instance.spec.version());
    failure.put("slaveId", state.agentId);
    return failure;
  }

  /** Kills the instance's task for good (or drops it while it waits in the launch queue). */
  void stop(Instance instance, String reason) {
    boolean wasRunning = instance.goal == Instance.Goal.RUN;
    instance.goal = Instance.Goal.STOP;
    if (!instance.alive()) {
      state.instances.remove(instance.instanceId);
      return;
    }
    // 1.8+ reports the goal change as an instance_changed_event with the unchanged condition
    // (InstanceChangedEventsGenerator: stateChanged when condition or goal differ).
    if (wasRunning && state.settings.marathon().version().atLeast(8)) {
      state.bus.publish(Events.instanceChanged(status(instance)));
    }
    kill(instance, reason);
  }

  /**
   * SIGTERM to the task's process group now, SIGKILL after the grace period (see {@link #reconcile()}). Mesos reports
   * TASK_KILLING first only to frameworks with the TASK_KILLING_STATE capability, which Marathon claims only with
   * {@code --enable_features task_killing} ({@code MarathonSchedulerDriver.scala}); otherwise the task stays
   * TASK_RUNNING (condition Running) until TASK_KILLED.
   */
  void kill(Instance instance, String reason) {
    if (instance.killReason != null || !instance.alive()) return;
    instance.killReason = reason;
    double grace = instance.spec.killGraceSeconds() != null ? instance.spec.killGraceSeconds()
        : state.settings.defaultKillGrace().toMillis() / 1000.0;
    instance.killDeadline = Instant.now().plusMillis((long) (grace * 1000));
    if (state.settings.marathon().taskKilling() && instance.process != null) {
      instance.state = "TASK_KILLING";
      publish(instance);
    }
    log.info("killing: {} {} ({}), SIGKILL after {} s", instance.appId, instance.taskId, reason, grace);
    if (instance.process == null) {
      finished(instance, "TASK_KILLED", "Killed before it started");
      return;
    }
    launcher.stopContainer(instance, Duration.ofMillis((long) (grace * 1000)));
    ProcessGroups.signal(instance.process.toHandle(), "TERM");
  }

  private void forceKill(Instance instance) {
    instance.killDeadline = null;
    log.warn("force-killing: {} {} did not stop within its grace period", instance.appId, instance.taskId);
    launcher.removeContainer(instance);
    ProcessGroups.signal(instance.process.toHandle(), "KILL");
  }

  /** Stops every task at once and waits for them, for shutdown. */
  void stopAll(Duration grace) {
    state.closing = true;
    List<Instance> live = state.instances.values().stream().filter(Instance::alive).toList();
    for (Instance i : live) {
      i.goal = Instance.Goal.STOP;
      if (i.killReason == null) kill(i, "shutdown");
    }
    Instant deadline = Instant.now().plus(grace);
    for (Instance i : live) {
      if (i.process == null) continue;
      long left = Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
      try {
        i.process.onExit().get(left, java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        ProcessGroups.signal(i.process.toHandle(), "KILL");
        // The engine's client is gone now, but a container can outlive it: wait until it is removed.
        launcher.removeContainer(i).completeOnTimeout(null, 10, java.util.concurrent.TimeUnit.SECONDS).join();
      }
      // Children that left the group, or outlived the leader, must not survive us either.
      i.process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      ProcessGroups.killGroupRemains(i.process.pid());
      launcher.forgetPid(i.taskId);
    }
  }

  /** A status update without a change of state: how the executor reports a task's health change. */
  void publishStatus(Instance instance) {
    state.bus.publish(Events.statusUpdate(status(instance)));
  }

  void publish(Instance instance) {
    Events.TaskStatus status = status(instance);
    state.bus.publish(Events.statusUpdate(status));
    state.bus.publish(Events.instanceChanged(status));
  }

  /**
   * A launch as the release reports it: up to 1.7 a {@code TASK_STAGING} status update and condition Created; from
   * 1.8 only the instance's move from Scheduled to Provisioned (Mesos sends no TASK_STAGING).
   */
  private void publishLaunch(Instance instance) {
    Events.TaskStatus status = status(instance);
    if (state.settings.marathon().version().atLeast(8)) {
      state.bus.publish(Events.instanceChanged(status.withCondition("Provisioned")));
    } else {
      state.bus.publish(Events.statusUpdate(status));
      state.bus.publish(Events.instanceChanged(status.withCondition("Created")));
    }
  }

  private Events.TaskStatus status(Instance instance) {
    // Mesos reports container IPs from TASK_RUNNING on; before that ipAddresses is [].
    return new Events.TaskStatus(state.agentId, instance.taskId, instance.instanceId,
        instance.state, Tasks.condition(instance.state), instance.message, instance.appId, state.settings.taskHost(),
        instance.startedAt != null ? List.of(state.settings.taskHost()) : List.of(),
        instance.hostPorts, instance.spec.version());
  }

  /** A scheduled instance: no agent, no host yet. */
  private static Events.TaskStatus unplaced(Instance instance) {
    return new Events.TaskStatus(null, null, instance.instanceId, null, "Scheduled", "", instance.appId, null,
        List.of(), List.of(), instance.spec.version());
  }
}
