package mdo.devcluster.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import mdo.devcluster.apps.AppSpec;
import mdo.devcluster.containers.ContainerEngine;
import mdo.devcluster.containers.ContainerSpec;
import mdo.devcluster.containers.EngineDetector;

/**
 * Starts a task's process: {@code cmd} through {@code /bin/sh -c} as a local process, an image as a container
 * ({@code docker} when its engine answers, else {@code podman}), {@code args} without an image as a local process.
 * Each task runs in its own process group (for a container: the engine's client) with its sandbox
 * {@code <state-dir>/tasks/<taskId>/} as working directory and {@code stdout}/{@code stderr} files there, like a Mesos
 * sandbox; a container sees the sandbox at {@value #CONTAINER_SANDBOX}, as under Mesos' Docker containerizer.
 */
final class TaskLauncher {
  static final String CONTAINER_SANDBOX = "/mnt/mesos/sandbox";

  /** Why a task could not start; becomes the TASK_FAILED message. */
  static final class LaunchException extends Exception {
    LaunchException(String message) {
      super(message);
    }
  }

  /** A task's container: its engine and name, for stopping it. */
  record Container(ContainerEngine engine, String name) {}

  private final Path tasksDir;
  private final EngineDetector engines;

  TaskLauncher(Path stateDir, List<String> engineCandidates) {
    this.tasksDir = stateDir.resolve("tasks");
    this.engines = new EngineDetector(engineCandidates);
  }

  Path sandbox(String taskId) {
    return tasksDir.resolve(taskId);
  }

  /** Starts the process; {@code instance.container} is set for container tasks. */
  Process start(Instance instance, Map<String, String> env) throws LaunchException {
    AppSpec app = instance.spec;
    Path sandbox = sandbox(instance.taskId);
    ProcessBuilder builder;
    if (app.cmd() != null) {
      builder = local(List.of("/bin/sh", "-c", app.cmd()), env, sandbox);
    } else if (app.image() != null) {
      builder = container(instance, env, sandbox);
    } else if (app.args() != null && !app.args().isEmpty()) {
      builder = local(app.args(), env, sandbox);
    } else {
      throw new LaunchException("The app has neither cmd, args nor a Docker image: nothing to run.");
    }
    String program = builder.command().get(0);
    builder.command(ProcessGroups.inNewGroup(builder.command()));
    try {
      Files.createDirectories(sandbox);
      Process process = builder.directory(sandbox.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(sandbox.resolve("stdout").toFile())
          .redirectError(sandbox.resolve("stderr").toFile())
          .start();
      Files.writeString(sandbox.resolve("pid"), process.pid() + " "
          + process.info().startInstant().map(i -> Long.toString(i.toEpochMilli())).orElse("0") + "\n");
      Container container = instance.container;
      if (container != null) {
        // `devcluster down` removes what a killed dev cluster left; the engine's --rm covers a normal exit, and this
        // covers a client that died while its container ran on (podman's container outlives its client).
        Files.writeString(sandbox.resolve("container"), container.engine().name() + " " + container.name() + "\n");
        process.onExit().thenRun(() -> container.engine().remove(container.name()));
      }
      return process;
    } catch (IOException e) {
      throw new LaunchException("Failed to launch " + program + ": " + e.getMessage());
    }
  }

  private static ProcessBuilder local(List<String> command, Map<String, String> env, Path sandbox) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    builder.environment().put("MESOS_SANDBOX", sandbox.toString());
    return builder;
  }

  private ProcessBuilder container(Instance instance, Map<String, String> env, Path sandbox) throws LaunchException {
    AppSpec app = instance.spec;
    EngineDetector.Detection found = engines.detect();
    if (found.engine() == null) {
      throw new LaunchException("No container engine is reachable (" + found.problem() + "), so image '" + app.image()
          + "' cannot run. Start a Docker engine or install podman, or give the app a 'cmd' to run it as a local"
          + " process instead (with host networking it binds $PORT0 itself).");
    }
    ContainerSpec spec;
    try {
      spec = spec(instance, env, sandbox);
    } catch (IllegalArgumentException e) {
      throw new LaunchException("Cannot run image '" + app.image() + "': " + e.getMessage());
    }
    instance.container = new Container(found.engine(), spec.name());
    return found.engine().run(spec);
  }

  /** The container for this task: Marathon's networking, ports, volumes and parameters in the engine's terms. */
  private static ContainerSpec spec(Instance instance, Map<String, String> env, Path sandbox) throws LaunchException {
    AppSpec app = instance.spec;
    ContainerSpec.Network network = switch (app.networkMode()) {
      case "host" -> ContainerSpec.Network.HOST;
      // Marathon's "container" mode joins a named (CNI) network; one machine has only the engine's default bridge.
      default -> ContainerSpec.Network.BRIDGE;
    };
    List<ContainerSpec.PortMapping> ports = new ArrayList<>();
    if (network == ContainerSpec.Network.BRIDGE) {
      for (int i = 0; i < app.ports().size(); i++) {
        AppSpec.PortSpec port = app.ports().get(i);
        if (port.hostPort() == null) continue;
        int hostPort = instance.effectivePorts.get(i);
        // containerPort 0 means "the same as the host port" in Marathon.
        int containerPort = port.containerPort() == 0 ? hostPort : port.containerPort();
        for (String protocol : port.protocol().split(",")) {
          ports.add(new ContainerSpec.PortMapping(hostPort, containerPort, protocol));
        }
      }
    }
    List<ContainerSpec.Volume> volumes = new ArrayList<>();
    volumes.add(new ContainerSpec.Volume(sandbox.toString(), CONTAINER_SANDBOX, false));
    for (AppSpec.VolumeSpec v : app.volumes()) {
      if (v.hostPath() == null) {
        throw new LaunchException("volume " + v.containerPath() + ": only host volumes (hostPath) run on the dev"
            + " cluster; persistent and external volumes need Mesos");
      }
      // A relative host path is relative to the sandbox, as in Mesos.
      Path host = v.hostPath().startsWith("/") ? Path.of(v.hostPath()) : sandbox.resolve(v.hostPath());
      volumes.add(new ContainerSpec.Volume(host.toString(), v.containerPath(), "RO".equals(v.mode())));
    }
    List<ContainerSpec.Parameter> parameters = new ArrayList<>();
    for (JsonNode p : app.dockerParameters()) {
      parameters.add(new ContainerSpec.Parameter(p.path("key").asText(), p.path("value").asText()));
    }
    Map<String, String> containerEnv = new LinkedHashMap<>(env);
    containerEnv.put("MESOS_SANDBOX", CONTAINER_SANDBOX);
    return new ContainerSpec("mdo-" + instance.taskId.replaceAll("[^a-zA-Z0-9_.-]", "-"), app.image(), network,
        ports, containerEnv, volumes, app.args() == null ? List.of() : app.args(), parameters, app.forcePullImage(),
        Map.of("MESOS_TASK_ID", instance.taskId));
  }

  void forgetPid(String taskId) {
    try {
      Files.deleteIfExists(sandbox(taskId).resolve("pid"));
      Files.deleteIfExists(sandbox(taskId).resolve("container"));
    } catch (IOException e) {
      // a stale pid file is only read by `down`, which checks the start time before it signals
    }
  }

  /** Asks the engine to stop the task's container within the grace period (the caller also SIGTERMs the client). */
  void stopContainer(Instance instance, Duration grace) {
    if (instance.container != null) instance.container.engine().stop(instance.container.name(), grace);
  }

  /** Removes the task's container (killing it); the caller may wait for it. */
  CompletableFuture<Void> removeContainer(Instance instance) {
    if (instance.container == null) return CompletableFuture.completedFuture(null);
    return instance.container.engine().remove(instance.container.name());
  }
}
