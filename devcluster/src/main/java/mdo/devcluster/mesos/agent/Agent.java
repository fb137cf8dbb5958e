package mdo.devcluster.mesos.agent;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import mdo.command.DaemonThreads;
import mdo.devcluster.mesos.actor.Actor;
import mdo.devcluster.mesos.link.AgentChannel;
import mdo.devcluster.mesos.link.AgentRegistration;
import mdo.devcluster.mesos.link.MasterChannel;
import mdo.devcluster.mesos.link.StatusUpdate;
import mdo.devcluster.mesos.wire.Uuids;
import mdo.devcluster.run.LocalTaskRunner;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.ContainerID;
import org.apache.mesos.v1.Protos.ContainerStatus;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.FrameworkInfo.Capability;
import org.apache.mesos.v1.Protos.HealthCheck;
import org.apache.mesos.v1.Protos.KillPolicy;
import org.apache.mesos.v1.Protos.NetworkInfo;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.Task;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one agent of the dev cluster: runs each task as a command executor would, on this machine (a local process in
 * its own process group and sandbox, or a container when an engine answers), reports its states through
 * acknowledgement-gated status update streams, runs its health check, and kills with the task's grace period.
 */
public final class Agent implements AgentChannel, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);

  /**
   * @param hostname what offers report and health checks target
   * @param port the agent's nominal port ({@code MESOS_AGENT_ENDPOINT}, offer URLs)
   * @param updateRetry first resend of an unacknowledged update (Mesos: 10 s), doubling up to {@code maxUpdateRetry}
   * @param defaultKillGrace SIGTERM-to-SIGKILL grace without a kill policy (the command executor's 3 s)
   * @param containerEngines the container CLIs to try for image tasks, in order (docker, then podman)
   */
  public record Settings(String hostname, int port, List<Resource> resources, Path stateDir,
                         List<String> containerEngines,
                         Duration updateRetry, Duration maxUpdateRetry, Duration defaultKillGrace) {}

  private final Settings settings;
  private final MasterChannel master;
  private final LocalTaskRunner runner;
  private final Actor actor = new Actor("mesos-agent", log);
  private final ExecutorService probes;
  private final Map<String, AgentTask> tasks = new LinkedHashMap<>();
  private AgentID id;
  private final java.util.concurrent.CountDownLatch firstRegistration = new java.util.concurrent.CountDownLatch(1);

  public Agent(Settings settings, MasterChannel master) {
    this.settings = settings;
    this.master = master;
    this.runner = new LocalTaskRunner(settings.stateDir(), settings.containerEngines());
    this.probes = Executors.newCachedThreadPool(DaemonThreads.factory("mesos-agent-health"));
  }

  /** Registers with the master; again after a partition heals or a master fails over, with every task it runs. */
  public void register() {
    execute(() -> {
      List<Task> running = new ArrayList<>();
      Map<String, FrameworkInfo> frameworks = new LinkedHashMap<>();
      if (id != null) {
        for (AgentTask t : tasks.values()) {
          running.add(t.toTask(id));
          frameworks.put(t.framework.getId().getValue(), t.framework);
        }
      }
      master.register(new AgentRegistration(id, settings.hostname(), settings.port(), settings.resources(), List.of(),
          running, List.copyOf(frameworks.values()), this));
    });
  }

  public AgentID id() {
    return call(() -> id);
  }

  /** Waits until a master accepted the first registration; false when none did within {@code timeout}. */
  public boolean awaitRegistered(Duration timeout) {
    try {
      return firstRegistration.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Tasks whose process still runs. */
  public int liveTasks() {
    return call(() -> (int) tasks.values().stream().filter(t -> t.started != null && t.started.process().isAlive())
        .count());
  }

  @Override
  public void registered(AgentID agentId) {
    execute(() -> {
      id = agentId;
      firstRegistration.countDown();
      for (AgentTask t : tasks.values()) {
        if (!t.updates.isEmpty()) send(t);
      }
    });
  }

  // ---------------------------------------------------------------------------------------------- launching

  @Override
  public void runTask(FrameworkInfo framework, TaskInfo task) {
    execute(() -> launch(framework, task));
  }

  private void launch(FrameworkInfo framework, TaskInfo info) {
    String containerId = UUID.randomUUID().toString();
    AgentTask task = new AgentTask(framework, info, containerId,
        new StatusUpdateStream(settings.updateRetry(), settings.maxUpdateRetry()));
    if (tasks.containsKey(task.key())) {
      log.warn("agent: ignoring a second launch of task {} of framework {}", info.getTaskId().getValue(),
          framework.getId().getValue());
      return;
    }
    tasks.put(task.key(), task);
    Path sandbox = runner.sandbox(containerId);
    String role = info.getResourcesCount() > 0 ? info.getResources(0).getAllocationInfo().getRole() : "*";
    task.plan = LaunchPlan.of(info, new LaunchPlan.Context(framework.getId().getValue(), id.getValue(),
        settings.hostname() + ":" + settings.port(), framework.getCheckpoint(), role, containerId, sandbox));
    if (task.plan.problem() != null) {
      launchFailed(task, task.plan.problem());
      return;
    }
    try {
      task.started = runner.start(task.plan.launch());
    } catch (LocalTaskRunner.LaunchException e) {
      launchFailed(task, e.getMessage());
      return;
    }
    log.info("agent: started task {} of framework {} (pid {}, sandbox {})", info.getTaskId().getValue(),
        framework.getId().getValue(), task.started.process().pid(), sandbox);
    update(task, executorStatus(task, TaskState.TASK_STARTING));
    update(task, executorStatus(task, TaskState.TASK_RUNNING));
    task.started.process().onExit().thenRun(() -> execute(() -> exited(task)));
    if (info.hasHealthCheck()) startHealthCheck(task);
  }

  private void launchFailed(AgentTask task, String problem) {
    log.warn("agent: task {} failed to launch: {}", task.info.getTaskId().getValue(), problem);
    update(task, status(task, TaskState.TASK_FAILED, TaskStatus.Source.SOURCE_AGENT)
        .setMessage("Failed to launch container: " + problem)
        .setReason(TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED).build());
  }

  /** The command executor's verdict on a process that ended ({@code CommandExecutor::reaped}). */
  private void exited(AgentTask task) {
    if (task.terminal()) return;
    int code = task.started.process().exitValue();
    runner.cleanUp(task.started);
    if (task.killTimer != null) task.killTimer.cancel(false);
    if (task.health != null) task.health.pause();
    TaskState state = task.killed ? TaskState.TASK_KILLED : code == 0 ? TaskState.TASK_FINISHED : TaskState.TASK_FAILED;
    TaskStatus.Builder status = executorStatus(task, state).toBuilder().setMessage("Command " + describe(code));
    if (task.killed && task.killedByHealthCheck) status.setHealthy(false);
    log.info("agent: task {} is {}: command {}", task.info.getTaskId().getValue(), state, describe(code));
    update(task, status.build());
  }

  /** {@code WSTRINGIFY}: Java reports a death by signal N as exit value 128 + N. */
  static String describe(int exitValue) {
    if (exitValue > 128 && exitValue < 128 + 32) return "terminated with signal " + signalName(exitValue - 128);
    return "exited with status " + exitValue;
  }

  private static String signalName(int signal) {
    return switch (signal) {
      case 1 -> "Hangup";
      case 2 -> "Interrupt";
      case 3 -> "Quit";
      case 6 -> "Aborted";
      case 9 -> "Killed";
      case 11 -> "Segmentation fault";
      case 13 -> "Broken pipe";
      case 15 -> "Terminated";
      default -> "Unknown signal " + signal;
    };
  }

  // ---------------------------------------------------------------------------------------------- killing

  @Override
  public void killTask(FrameworkID framework, TaskID taskId, KillPolicy policy) {
    execute(() -> {
      AgentTask task = tasks.get(framework.getValue() + "/" + taskId.getValue());
      if (task == null || task.terminal() || task.started == null) {
        log.info("agent: nothing to kill for task {} of framework {}", taskId.getValue(), framework.getValue());
        return;
      }
      kill(task, policy, false);
    });
  }

  /** SIGTERM now, SIGKILL after the grace period ({@code CommandExecutor::kill}). */
  private void kill(AgentTask task, KillPolicy override, boolean byHealthCheck) {
    if (task.killed) return;
    task.killed = true;
    task.killedByHealthCheck = byHealthCheck;
    if (task.health != null) task.health.pause();
    Duration grace = settings.defaultKillGrace();
    if (override != null && override.hasGracePeriod()) {
      grace = Duration.ofNanos(override.getGracePeriod().getNanoseconds());
    } else if (task.info.hasKillPolicy() && task.info.getKillPolicy().hasGracePeriod()) {
      grace = Duration.ofNanos(task.info.getKillPolicy().getGracePeriod().getNanoseconds());
    }
    if (task.framework.getCapabilitiesList().stream().anyMatch(c -> c.getType() == Capability.Type.TASK_KILLING_STATE)) {
      update(task, executorStatus(task, TaskState.TASK_KILLING));
    }
    log.info("agent: killing task {} (SIGKILL after {} ms)", task.info.getTaskId().getValue(), grace.toMillis());
    runner.terminate(task.started, (long) Math.ceil(grace.toMillis() / 1000.0));
    task.killTimer = actor.schedule(grace, () -> {
      if (task.started.process().isAlive()) {
        log.warn("agent: task {} outlived its grace period: SIGKILL", task.info.getTaskId().getValue());
        runner.forceKill(task.started);
      }
    });
  }

  @Override
  public void shutdownFramework(FrameworkID framework) {
    execute(() -> {
      for (AgentTask task : List.copyOf(tasks.values())) {
        if (!task.framework.getId().equals(framework)) continue;
        task.abandoned = true;
        if (task.retry != null) task.retry.cancel(false);
        if (task.started != null && !task.terminal()) kill(task, null, false);
        tasks.remove(task.key());
      }
      log.info("agent: shut down framework {}", framework.getValue());
    });
  }

  // ---------------------------------------------------------------------------------------------- updates

  private TaskStatus executorStatus(AgentTask task, TaskState state) {
    TaskStatus.Builder status = status(task, state, TaskStatus.Source.SOURCE_EXECUTOR);
    status.setExecutorId(task.executorId());
    if (task.started != null) {
      // The agent merges the containerizer's view into every executor update (Slave::_statusUpdate).
      status.setContainerStatus(ContainerStatus.newBuilder()
          .setContainerId(ContainerID.newBuilder().setValue(task.containerId))
          .setExecutorPid((int) task.started.process().pid())
          .addNetworkInfos(NetworkInfo.newBuilder().addIpAddresses(NetworkInfo.IPAddress.newBuilder()
              .setIpAddress(settings.hostname()))));
    }
    return status.build();
  }

  private TaskStatus.Builder status(AgentTask task, TaskState state, TaskStatus.Source source) {
    return TaskStatus.newBuilder()
        .setTaskId(task.info.getTaskId())
        .setState(state)
        .setSource(source)
        .setAgentId(id)
        .setTimestamp(System.currentTimeMillis() / 1000.0)
        .setUuid(Uuids.random());
  }

  /** A new state: the task moves on at once; the framework hears of it when the updates before it are acknowledged. */
  private void update(AgentTask task, TaskStatus status) {
    if (!task.terminal()) task.state = status.getState();
    task.statuses.add(status);
    if (task.updates.add(status)) send(task);
  }

  private void send(AgentTask task) {
    TaskStatus front = task.updates.front();
    if (front == null || task.abandoned) return;
    master.statusUpdate(new StatusUpdate(task.framework.getId(), front, task.state));
    if (task.retry != null) task.retry.cancel(false);
    Duration delay = task.updates.retryDelay();
    task.retry = actor.schedule(delay, () -> {
      if (task.updates.front() == front) {
        log.info("agent: resending unacknowledged {} of task {}", front.getState(), task.info.getTaskId().getValue());
        send(task);
      }
    });
  }

  @Override
  public void acknowledge(FrameworkID framework, TaskID taskId, ByteString uuid) {
    execute(() -> {
      AgentTask task = tasks.get(framework.getValue() + "/" + taskId.getValue());
      if (task == null || !task.updates.acknowledge(uuid)) {
        log.info("agent: ignoring an acknowledgement for task {} that matches no pending update", taskId.getValue());
        return;
      }
      if (task.retry != null) task.retry.cancel(false);
      if (!task.updates.isEmpty()) {
        send(task);
      } else if (task.terminal()) {
        tasks.remove(task.key());
      }
    });
  }

  @Override
  public void frameworkReconnected(FrameworkID framework) {
    execute(() -> {
      for (AgentTask task : tasks.values()) {
        if (task.framework.getId().equals(framework) && !task.updates.isEmpty()) {
          task.updates.resetBackoff();
          send(task);
        }
      }
    });
  }

  // ---------------------------------------------------------------------------------------------- health

  private void startHealthCheck(AgentTask task) {
    HealthCheck check = task.info.getHealthCheck();
    LocalTaskRunner.ProbeTarget target = probeTarget(task, check);
    String protocol = switch (check.getType()) {
      case HTTP -> check.getHttp().getScheme().equals("https") ? "HTTPS" : "HTTP";
      case TCP -> "TCP";
      default -> "COMMAND";
    };
    String path = check.getHttp().hasPath() ? check.getHttp().getPath() : "/";
    String command = check.getCommand().getValue();
    task.health = new HealthChecker(task.info.getTaskId().getValue(), check,
        () -> runner.probe(protocol, path, command, check.getTimeoutSeconds(), target), actor, probes,
        (healthy, killTask) -> healthChanged(task, healthy, killTask));
    task.health.start();
  }

  /** HTTP and TCP checks target 127.0.0.1 at the port the task listens on; a bridged container's is published. */
  private LocalTaskRunner.ProbeTarget probeTarget(AgentTask task, HealthCheck check) {
    int port = switch (check.getType()) {
      case HTTP -> check.getHttp().getPort();
      case TCP -> check.getTcp().getPort();
      default -> 0;
    };
    port = task.plan.containerToHostPorts().getOrDefault(port, port);
    return new LocalTaskRunner.ProbeTarget("127.0.0.1", port, task.plan.launch().env(),
        runner.sandbox(task.containerId));
  }

  private void healthChanged(AgentTask task, boolean healthy, boolean killTask) {
    if (task.killed || task.terminal()) return;
    TaskStatus last = task.statuses.get(task.statuses.size() - 1);
    update(task, last.toBuilder().setUuid(Uuids.random()).setTimestamp(System.currentTimeMillis() / 1000.0)
        .setHealthy(healthy).setReason(TaskStatus.Reason.REASON_TASK_HEALTH_CHECK_STATUS_UPDATED).clearMessage()
        .build());
    if (killTask) kill(task, null, true);
  }

  // ---------------------------------------------------------------------------------------------- plumbing

  private void execute(Runnable work) {
    actor.execute(work);
  }

  private <T> T call(Callable<T> work) {
    return actor.call(work);
  }

  /** Stops every task (SIGTERM, SIGKILL after its grace period) and waits for them, at most {@code wait}. */
  public void stopAll(Duration wait) {
    List<AgentTask> running = call(() -> {
      List<AgentTask> alive = new ArrayList<>();
      for (AgentTask task : tasks.values()) {
        if (task.started != null && task.started.process().isAlive()) {
          kill(task, null, false);
          alive.add(task);
        }
      }
      return alive;
    });
    long deadline = System.nanoTime() + wait.toNanos();
    for (AgentTask task : running) {
      long left = deadline - System.nanoTime();
      try {
        task.started.process().onExit().get(Math.max(0, left), TimeUnit.NANOSECONDS);
      } catch (ExecutionException | TimeoutException e) {
        runner.forceKill(task.started);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        runner.forceKill(task.started);
      }
      runner.cleanUp(task.started);
    }
  }

  @Override
  public void close() {
    stopAll(settings.defaultKillGrace().plusSeconds(5));
    actor.stop();
    probes.shutdownNow();
  }
}
