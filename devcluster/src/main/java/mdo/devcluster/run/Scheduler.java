package mdo.devcluster.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import mdo.devcluster.Json;
import mdo.devcluster.apps.AppSpec;
import mdo.devcluster.apps.PathIds;
import mdo.devcluster.events.Events;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives every app towards its definition on the actor thread: launches and relaunches instances (with backoff),
 * kills surplus and replaced ones (SIGTERM, then SIGKILL after the grace period), and reports every task state
 * change as {@code status_update_event} + {@code instance_changed_event}.
 */
final class Scheduler {
  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
  /** A task that ran this long before it failed resets the app's launch backoff. */
  static final Duration BACKOFF_RESET_AFTER = Duration.ofSeconds(30);

  private final State state;
  private final PortAllocator ports;
  private final TaskLauncher launcher;
  private HealthMonitor health;

  Scheduler(State state, PortAllocator ports, TaskLauncher launcher) {
    this.state = state;
    this.ports = ports;
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
      AppState app = state.apps.get(instance.appId);
      if (app == null || instance.goal == Instance.Goal.STOP) {
        stop(instance, "delete");
      }
      if (instance.killing() && instance.killDeadline != null && now.isAfter(instance.killDeadline)) {
        forceKill(instance);
      }
    }
    for (AppState app : List.copyOf(state.apps.values())) {
      reconcile(app, now);
    }
  }

  private void reconcile(AppState app, Instant now) {
    AppSpec spec = app.spec;
    int target = spec.instances();
    List<Instance> current = new ArrayList<>();
    List<Instance> old = new ArrayList<>();
    for (Instance i : state.instancesOf(app.id())) {
      // An instance killed for failing its health checks is relaunched as itself (next incarnation), so it still counts.
      if (i.goal == Instance.Goal.STOP || (i.killing() && !"unhealthy".equals(i.killReason))) continue;
      if (i.waiting() && !i.spec.configVersion().equals(spec.configVersion())) {
        remove(i);
      } else if (i.spec.configVersion().equals(spec.configVersion())) {
        current.add(i);
      } else {
        old.add(i);
      }
    }
    // Scale down: waiting instances go first, then by killSelection (youngest first by default).
    if (current.size() > target) {
      Comparator<java.time.Instant> age = spec.oldestFirst() ? Comparator.naturalOrder() : Comparator.reverseOrder();
      current.sort(Comparator.comparing((Instance i) -> !i.waiting()).thenComparing(i -> i.createdAt, age));
      for (Instance surplus : List.copyOf(current.subList(0, current.size() - target))) {
        stop(surplus, "scale");
        current.remove(surplus);
      }
    }
    for (Instance i : current) {
      if (i.waiting() && !now.isBefore(i.relaunchAt)) {
        if (placementProblem(app) == null) launch(i, spec);
      }
    }
    int maxTotal = old.isEmpty() ? target : target + overCapacity(spec, target);
    boolean blocked = false;
    while (current.size() < target && current.size() + old.size() < maxTotal) {
      String problem = placementProblem(app);
      if (problem != null) {
        blocked = true;
        if (!problem.equals(app.lastPlacementProblem)) log.warn("waiting: {} cannot place an instance: {}", app.id(), problem);
        app.lastPlacementProblem = problem;
        break;
      }
      app.lastPlacementProblem = null;
      Instance instance = new Instance(PathIds.safe(app.id()) + ".instance-" + UUID.randomUUID(), app.id());
      state.instances.put(instance.instanceId, instance);
      current.add(instance);
      launch(instance, spec);
    }
    replaceOld(spec, target, current, old, blocked);
  }

  /**
   * Rolling replacement within {@code upgradeStrategy}: an old instance goes once enough capacity is ready. When a
   * new instance cannot be placed at all (its fixed host ports are held by the old ones, as on any single host), one
   * old instance goes anyway; real Marathon would wait for another agent here.
   */
  private void replaceOld(AppSpec spec, int target, List<Instance> current, List<Instance> old, boolean blocked) {
    if (old.isEmpty()) return;
    if (blocked && current.stream().noneMatch(Instance::alive)) {
      old.sort(Comparator.comparing(Instance::ready).thenComparing(i -> i.createdAt));
      stop(old.get(0), "replace");
      return;
    }
    long readyNew = current.stream().filter(Instance::ready).count();
    long readyOld = old.stream().filter(Instance::ready).count();
    long minHealthy = (long) Math.ceil(target * spec.minimumHealthCapacity());
    old.sort(Comparator.comparing(Instance::ready).thenComparing(i -> i.createdAt));
    for (Instance o : old) {
      long remaining = readyNew + readyOld - (o.ready() ? 1 : 0);
      if (target == 0 || remaining >= minHealthy || readyNew >= target) {
        stop(o, "replace");
        if (o.ready()) readyOld--;
      }
    }
  }

  private static int overCapacity(AppSpec spec, int target) {
    int over = (int) Math.floor(target * spec.maximumOverCapacity());
    // With minimumHealthCapacity 1 and no over-capacity Marathon could never progress; allow one extra.
    return over == 0 && spec.minimumHealthCapacity() >= 1.0 ? 1 : over;
  }

  /** Null when the instance can start now; on one host only fixed host ports can collide. */
  private String placementProblem(AppState app) {
    for (AppSpec.PortSpec port : app.spec.ports()) {
      if (port.hostPort() != null && port.hostPort() > 0 && ports.heldByUs(port.hostPort())) {
        return "host port " + port.hostPort() + " is held by another task"
            + (app.spec.hostnameUnique() ? " (hostname:UNIQUE on a single host allows one instance with these ports)" : "");
      }
    }
    return null;
  }

  /** Starts (or restarts, with the next incarnation) the instance's task. */
  void launch(Instance instance, AppSpec spec) {
    instance.spec = spec;
    instance.incarnation++;
    instance.taskId = instance.instanceId + "._app." + instance.incarnation;
    instance.generation++;
    instance.relaunchAt = null;
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
      publish(instance);
      finished(instance, "TASK_FAILED", "Failed to allocate ports: " + e.getMessage());
      return;
    }
    publish(instance);
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

  /** The task reached a terminal state: report it, free its ports, then relaunch or forget the instance. */
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
    boolean wanted = app != null && instance.goal == Instance.Goal.RUN
        && instance.spec.configVersion().equals(app.spec.configVersion());
    if (!wanted || (reason != null && !reason.equals("unhealthy"))) {
      state.instances.remove(instance.instanceId);
      return;
    }
    instance.state = null;
    if (reason != null) {
      instance.relaunchAt = Instant.now();
      return;
    }
    if (terminalState.equals("TASK_FAILED")) app.lastTaskFailure = lastTaskFailure(instance);
    boolean ranLong = instance.startedAt != null
        && Duration.between(instance.startedAt, Instant.now()).compareTo(BACKOFF_RESET_AFTER) > 0;
    app.launchFailures = ranLong ? 1 : app.launchFailures + 1;
    double delay = Math.min(app.spec.maxLaunchDelaySeconds(),
        app.spec.backoffSeconds() * Math.pow(app.spec.backoffFactor(), app.launchFailures - 1));
    instance.relaunchAt = Instant.now().plusMillis((long) (delay * 1000));
    log.info("backing off: {} relaunches {} in {} s", instance.appId, instance.instanceId,
        String.format("%.2f", delay));
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

  /** Kills the instance's task for good (or drops it while it waits to relaunch). */
  void stop(Instance instance, String reason) {
    instance.goal = Instance.Goal.STOP;
    if (!instance.alive()) {
      state.instances.remove(instance.instanceId);
      return;
    }
    kill(instance, reason);
  }

  /** SIGTERM to the task's process group now, SIGKILL after the grace period (see {@link #reconcile()}). */
  void kill(Instance instance, String reason) {
    if (instance.killReason != null || !instance.alive()) return;
    instance.killReason = reason;
    double grace = instance.spec.killGraceSeconds() != null ? instance.spec.killGraceSeconds()
        : state.settings.defaultKillGrace().toMillis() / 1000.0;
    instance.killDeadline = Instant.now().plusMillis((long) (grace * 1000));
    instance.state = "TASK_KILLING";
    publish(instance);
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

  private void remove(Instance instance) {
    state.instances.remove(instance.instanceId);
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

  void publish(Instance instance) {
    // Mesos reports container IPs from TASK_RUNNING on; before that ipAddresses is [].
    Events.TaskStatus status = new Events.TaskStatus(state.agentId, instance.taskId, instance.instanceId,
        instance.state, Tasks.condition(instance.state), instance.message, instance.appId, state.settings.taskHost(),
        instance.startedAt != null ? List.of(state.settings.taskHost()) : List.of(),
        instance.hostPorts, instance.spec.version());
    state.bus.publish(Events.statusUpdate(status));
    state.bus.publish(Events.instanceChanged(status));
  }
}
