package mdo.devcluster.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mdo.devcluster.apps.AppSpec;

/**
 * Starts a task's process: {@code cmd} through {@code /bin/sh -c}, or {@code args} directly, as a local process; an
 * image with neither through {@code docker run} when a Docker engine answers. Each task runs in its own process
 * group with its sandbox {@code <state-dir>/tasks/<taskId>/} as working directory and {@code stdout}/{@code stderr}
 * files there, like a Mesos sandbox.
 */
final class TaskLauncher {
  /** Why a task could not start; becomes the TASK_FAILED message. */
  static final class LaunchException extends Exception {
    LaunchException(String message) {
      super(message);
    }
  }

  private final Path tasksDir;
  private final String docker;
  private final DockerProbe probe;

  TaskLauncher(Path stateDir, String docker) {
    this.tasksDir = stateDir.resolve("tasks");
    this.docker = docker;
    this.probe = new DockerProbe(docker);
  }

  Path sandbox(String taskId) {
    return tasksDir.resolve(taskId);
  }

  /** Starts the process; {@code instance.dockerName} is set for Docker tasks. */
  Process start(Instance instance, Map<String, String> env) throws LaunchException {
    AppSpec app = instance.spec;
    Path sandbox = sandbox(instance.taskId);
    List<String> command;
    if (app.cmd() != null) {
      command = List.of("/bin/sh", "-c", app.cmd());
    } else if (app.args() != null && !app.args().isEmpty()) {
      command = app.args();
    } else if (app.image() != null) {
      String problem = probe.problem();
      if (problem != null) {
        throw new LaunchException("No Docker engine is reachable (" + problem + "), so image '" + app.image()
            + "' cannot run. Start a Docker engine, or give the app a 'cmd' to run it as a local process instead"
            + " (with host networking it binds $PORT0 itself).");
      }
      instance.dockerName = "mdo-" + instance.taskId.replaceAll("[^a-zA-Z0-9_.-]", "-");
      command = dockerRun(instance, env);
    } else {
      throw new LaunchException("The app has neither cmd, args nor a Docker image: nothing to run.");
    }
    try {
      Files.createDirectories(sandbox);
      ProcessBuilder builder = new ProcessBuilder(ProcessGroups.inNewGroup(command))
          .directory(sandbox.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectOutput(sandbox.resolve("stdout").toFile())
          .redirectError(sandbox.resolve("stderr").toFile());
      builder.environment().putAll(env);
      builder.environment().put("MESOS_SANDBOX", sandbox.toString());
      Process process = builder.start();
      Files.writeString(sandbox.resolve("pid"), process.pid() + " "
          + process.info().startInstant().map(i -> Long.toString(i.toEpochMilli())).orElse("0") + "\n");
      return process;
    } catch (IOException e) {
      throw new LaunchException("Failed to launch " + command.get(0) + ": " + e.getMessage());
    }
  }

  void forgetPid(String taskId) {
    try {
      Files.deleteIfExists(sandbox(taskId).resolve("pid"));
    } catch (IOException e) {
      // a stale pid file is only read by `down`, which checks the start time before it signals
    }
  }

  /** Asks Docker to stop the container with the grace period; the CLI process also gets SIGTERM from the caller. */
  void dockerStop(String name, long graceSeconds) {
    runQuietly(List.of(docker, "stop", "--time", Long.toString(graceSeconds), name));
  }

  void dockerRemove(String name) {
    runQuietly(List.of(docker, "rm", "-f", name));
  }

  private static void runQuietly(List<String> command) {
    try {
      new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      // the docker CLI is gone; the group signals still stop the `docker run` client
    }
  }

  /** Env values travel in the CLI's own environment ({@code -e NAME}), so they do not show up in {@code ps}. */
  private List<String> dockerRun(Instance instance, Map<String, String> env) {
    AppSpec app = instance.spec;
    List<String> command = new ArrayList<>(List.of(docker, "run", "--rm", "--name", instance.dockerName,
        "--label", "MESOS_TASK_ID=" + instance.taskId));
    switch (app.networkMode()) {
      case "host" -> command.add("--network=host");
      case "container/bridge" -> {
        for (int i = 0; i < app.ports().size(); i++) {
          AppSpec.PortSpec port = app.ports().get(i);
          if (port.hostPort() == null) continue;
          int containerPort = port.containerPort() == 0 ? instance.effectivePorts.get(i) : port.containerPort();
          for (String protocol : port.protocol().split(",")) {
            command.add("-p");
            command.add(instance.effectivePorts.get(i) + ":" + containerPort + "/" + protocol);
          }
        }
      }
      default -> { }
    }
    env.keySet().forEach(name -> {
      command.add("-e");
      command.add(name);
    });
    app.dockerParameters().forEach(p -> command.add("--" + p.path("key").asText() + "=" + p.path("value").asText()));
    command.add(app.image());
    return command;
  }
}
