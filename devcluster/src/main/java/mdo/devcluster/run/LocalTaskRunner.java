package mdo.devcluster.run;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import mdo.devcluster.Json;
import mdo.devcluster.MarathonVersion;
import mdo.devcluster.apps.AppSpec;

/**
 * The dev cluster's process running (sandboxes, process groups, containers with docker or podman, kills with
 * a grace period, health probes) for callers outside this package, such as the Mesos agent. It is the one place that
 * drives {@link TaskLauncher} and {@link HealthProbes} on their behalf, so replacing the launcher changes this class
 * only.
 */
public final class LocalTaskRunner {
  /** Why a task could not start. */
  public static final class LaunchException extends Exception {
    public LaunchException(String message) {
      super(message);
    }
  }

  /** A host port published to a container port ({@code run -p host:container/protocol}). */
  public record PortMapping(int hostPort, int containerPort, String protocol) {}

  /**
   * What to run.
   *
   * @param sandboxKey names the sandbox {@code <state-dir>/tasks/<sandboxKey>} (and the container)
   * @param command argv of a local process, or null for an image
   * @param image the container image to run with its own command, or null for a local process
   * @param bridge publish {@code ports} (bridge networking) rather than use the host's network
   * @param env the process environment on top of the dev cluster's own
   */
  public record Launch(String sandboxKey, List<String> command, String image, boolean bridge,
                       List<PortMapping> ports, Map<String, String> dockerParameters, Map<String, String> env) {}

  /** A started task: stop it with {@link #terminate}, {@link #forceKill}, then {@link #cleanUp}. */
  public static final class Started {
    private final Instance instance;

    private Started(Instance instance) {
      this.instance = instance;
    }

    public Process process() {
      return instance.process;
    }

    public Path sandbox(LocalTaskRunner runner) {
      return runner.launcher.sandbox(instance.taskId);
    }
  }

  /** A health probe target: the check's port on this machine, with the task's environment for COMMAND checks. */
  public record ProbeTarget(String host, int port, Map<String, String> env, Path sandbox) {}

  private final TaskLauncher launcher;
  private final HealthProbes probes = new HealthProbes();

  /** @param containerEngines the container CLIs to try for images, in order: the first whose engine answers */
  public LocalTaskRunner(Path stateDir, List<String> containerEngines) {
    this.launcher = new TaskLauncher(stateDir, containerEngines);
  }

  public Path sandbox(String sandboxKey) {
    return launcher.sandbox(sandboxKey);
  }

  public Started start(Launch launch) throws LaunchException {
    Instance instance = Instance.scheduled(AppSpec.from(app(launch)), MarathonVersion.DEFAULT, Instant.now());
    instance.taskId = launch.sandboxKey();
    instance.effectivePorts = launch.ports().stream().map(PortMapping::hostPort).toList();
    try {
      instance.process = launcher.start(instance, launch.env());
    } catch (TaskLauncher.LaunchException e) {
      throw new LaunchException(e.getMessage());
    }
    return new Started(instance);
  }

  /** The app definition {@link TaskLauncher} reads, holding just what the launch needs. */
  private static ObjectNode app(Launch launch) {
    ObjectNode app = Json.object().put("id", "/" + launch.sandboxKey());
    if (launch.command() != null) {
      ArrayNode args = app.putArray("args");
      launch.command().forEach(args::add);
    }
    if (launch.image() != null) {
      ObjectNode docker = app.putObject("container").putObject("docker").put("image", launch.image());
      ArrayNode parameters = docker.putArray("parameters");
      launch.dockerParameters().forEach((k, v) -> parameters.addObject().put("key", k).put("value", v));
      app.putArray("networks").addObject().put("mode", launch.bridge() ? "container/bridge" : "host");
      ArrayNode mappings = ((ObjectNode) app.get("container")).putArray("portMappings");
      for (PortMapping m : launch.ports()) {
        mappings.addObject().put("hostPort", m.hostPort()).put("containerPort", m.containerPort())
            .put("protocol", m.protocol());
      }
    }
    return app;
  }

  /** SIGTERM to the task's process group (and the engine's {@code stop} with the grace period for a container). */
  public void terminate(Started task, long graceSeconds) {
    launcher.stopContainer(task.instance, java.time.Duration.ofSeconds(graceSeconds));
    ProcessGroups.signal(task.instance.process.toHandle(), "TERM");
  }

  /** SIGKILL to the process group (and the engine's {@code rm --force} for a container). */
  public void forceKill(Started task) {
    launcher.removeContainer(task.instance);
    ProcessGroups.signal(task.instance.process.toHandle(), "KILL");
  }

  /** After the task's main process exited: what is left of its group goes, as when Mesos destroys a container. */
  public void cleanUp(Started task) {
    ProcessGroups.killGroupRemains(task.instance.process.pid());
    launcher.forgetPid(task.instance.taskId);
  }

  /**
   * One probe: null when healthy, else why not.
   *
   * @param protocol HTTP, HTTPS, TCP or COMMAND
   */
  public String probe(String protocol, String path, String command, double timeoutSeconds, ProbeTarget target) {
    AppSpec.HealthCheckSpec check = new AppSpec.HealthCheckSpec(protocol, path == null ? "/" : path, null,
        target.port(), command, 0, 0, timeoutSeconds, 0, 0, true, false, Json.object());
    return probes.probe(check, new HealthProbes.Target(target.host(), target.port(), target.env(), target.sandbox()));
  }
}
