package mdo.devcluster.mesos.master;

import java.util.HashSet;
import java.util.Set;
import mdo.devcluster.mesos.resources.ResourceValidation;
import mdo.devcluster.mesos.resources.Resources;
import org.apache.mesos.v1.Protos.CheckInfo;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.ContainerInfo;
import org.apache.mesos.v1.Protos.Environment;
import org.apache.mesos.v1.Protos.HealthCheck;
import org.apache.mesos.v1.Protos.Parameter;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.Volume;

/**
 * {@code validation::task::validate} (master/validation.cpp, in its order) for a task of a LAUNCH operation against
 * what is left of the accepted offers. A failure becomes TASK_ERROR with reason REASON_TASK_INVALID and this message.
 */
final class TaskValidation {
  private TaskValidation() {}

  /** Null when the master would launch the task. */
  static String problem(TaskInfo task, Framework framework, String agentId, Resources available) {
    String problem = IdValidation.problem(task.getTaskId().getValue());
    if (problem != null) return problem;
    String id = task.getTaskId().getValue();
    if (framework.tasks.containsKey(id)) return "Task has duplicate ID: " + id;
    if (framework.unreachableTasks.containsKey(id)) return "Task reuses the ID of an unreachable task: " + id;
    if (!task.getAgentId().getValue().equals(agentId)) {
      return "Task uses invalid agent " + task.getAgentId().getValue() + " while agent " + agentId + " is expected";
    }
    if (task.hasKillPolicy() && task.getKillPolicy().hasGracePeriod()
        && task.getKillPolicy().getGracePeriod().getNanoseconds() < 0) {
      return "Task's 'kill_policy.grace_period' must be non-negative";
    }
    if (task.hasMaxCompletionTime() && task.getMaxCompletionTime().getNanoseconds() < 0) {
      return "Task's `max_completion_time` must be non-negative";
    }
    if (task.hasCheck()) {
      problem = checkProblem(task.getCheck());
      if (problem != null) return "Task uses invalid check: " + problem;
    }
    if (task.hasHealthCheck()) {
      problem = healthCheckProblem(task.getHealthCheck());
      if (problem != null) return "Task uses invalid health check: " + problem;
    }
    problem = resourcesProblem(task);
    if (problem != null) return problem;
    if (task.hasCommand()) {
      problem = environmentProblem(task.getCommand().getEnvironment());
      if (problem != null) return "Task's `CommandInfo` is invalid: " + problem;
    }
    if (task.hasContainer()) {
      problem = containerProblem(task.getContainer());
      if (problem != null) return "Task's `ContainerInfo` is invalid: " + problem;
    }
    if (task.getLimitsCount() > 0) {
      // The local agent enforces no limits, so it does not announce the TASK_RESOURCE_LIMITS capability.
      return "Agent is not capable of handling task resource limits";
    }
    if (task.hasExecutor() == task.hasCommand()) {
      return "Task should have at least one (but not both) of CommandInfo or ExecutorInfo present";
    }
    if (task.hasExecutor()) {
      return "The mdo dev cluster runs command tasks only (the command executor): custom executors are not supported";
    }
    Resources total = Resources.of(task.getResourcesList());
    if (!available.contains(total)) {
      return "Total resources " + total + " required by task and its executor is more than available " + available;
    }
    if (task.hasContainer() && task.getContainer().hasLinuxInfo() && task.getContainer().getLinuxInfo()
        .hasShareCgroups() && !task.getContainer().getLinuxInfo().getShareCgroups()) {
      return "Only tasks in a task group may have 'share_cgroups' set to 'false'";
    }
    return null;
  }

  private static String resourcesProblem(TaskInfo task) {
    if (task.getResourcesCount() == 0) return "Task uses no resources";
    String problem = ResourceValidation.problem(task.getResourcesList());
    if (problem != null) return "Task uses invalid resources: Invalid resources: " + problem;
    double gpus = Resources.of(task.getResourcesList()).scalar("gpus");
    if (Math.round(gpus * 1000) % 1000 != 0) {
      return "Task uses invalid resources: Invalid 'gpus' resource: The 'gpus' resource must be an unsigned integer";
    }
    Set<String> roles = new HashSet<>();
    for (Resource r : task.getResourcesList()) {
      if (!r.getAllocationInfo().hasRole()) return "Invalid task resources: The resources are not allocated to a role";
      roles.add(r.getAllocationInfo().getRole());
    }
    if (roles.size() > 1) {
      var list = roles.stream().sorted().toList();
      return "Invalid task resources: The resources have multiple allocation roles ('" + list.get(1) + "' and '"
          + list.get(0) + "') but only one allocation role is allowed";
    }
    return null;
  }

  static String environmentProblem(Environment environment) {
    for (Environment.Variable v : environment.getVariablesList()) {
      switch (v.getType()) {
        case SECRET -> {
          if (!v.hasSecret()) return "Environment variable '" + v.getName() + "' of type 'SECRET' must have a secret set";
          if (v.hasValue()) return "Environment variable '" + v.getName() + "' of type 'SECRET' must not have a value set";
        }
        case VALUE -> {
          if (!v.hasValue()) return "Environment variable '" + v.getName() + "' of type 'VALUE' must have a value set";
          if (v.hasSecret()) {
            return "Environment variable '" + v.getName() + "' of type 'VALUE' must not have a secret set";
          }
        }
        default -> {
          return "Environment variable of type 'UNKNOWN' is not allowed";
        }
      }
    }
    return null;
  }

  private static String containerProblem(ContainerInfo container) {
    for (Volume volume : container.getVolumesList()) {
      int count = (volume.hasHostPath() ? 1 : 0) + (volume.hasImage() ? 1 : 0) + (volume.hasSource() ? 1 : 0);
      if (count != 1) return "Invalid volume: Only one of them should be set: 'host_path', 'image' and 'source'";
    }
    if (container.getType() == ContainerInfo.Type.DOCKER) {
      if (!container.hasDocker()) return "DockerInfo 'docker' is not set for DOCKER typed ContainerInfo";
      for (Parameter p : container.getDocker().getParametersList()) {
        if (p.getKey().equals("name")) return "Parameter in DockerInfo must not be 'name'";
      }
    }
    return null;
  }

  /** {@code common::validation::validateHealthCheck}. */
  static String healthCheckProblem(HealthCheck check) {
    if (!check.hasType()) return "HealthCheck must specify 'type'";
    switch (check.getType()) {
      case COMMAND -> {
        if (!check.hasCommand()) return "Expecting 'command' to be set for COMMAND health check";
        CommandInfo command = check.getCommand();
        if (!command.hasValue()) {
          return "Command health check must contain " + (command.getShell() ? "'shell command'" : "'executable path'");
        }
        String env = environmentProblem(command.getEnvironment());
        if (env != null) return "Health check's `CommandInfo` is invalid: " + env;
      }
      case HTTP -> {
        if (!check.hasHttp()) return "Expecting 'http' to be set for HTTP health check";
        HealthCheck.HTTPCheckInfo http = check.getHttp();
        if (http.hasScheme() && !http.getScheme().equals("http") && !http.getScheme().equals("https")) {
          return "Unsupported HTTP health check scheme: '" + http.getScheme() + "'";
        }
        if (http.hasPath() && !http.getPath().startsWith("/")) {
          return "The path '" + http.getPath() + "' of HTTP health check must start with '/'";
        }
      }
      case TCP -> {
        if (!check.hasTcp()) return "Expecting 'tcp' to be set for TCP health check";
      }
      default -> {
        return "'" + check.getType() + "' is not a valid health check type";
      }
    }
    if (check.hasDelaySeconds() && check.getDelaySeconds() < 0) return "Expecting 'delay_seconds' to be non-negative";
    if (check.hasGracePeriodSeconds() && check.getGracePeriodSeconds() < 0) {
      return "Expecting 'grace_period_seconds' to be non-negative";
    }
    if (check.hasIntervalSeconds() && check.getIntervalSeconds() < 0) {
      return "Expecting 'interval_seconds' to be non-negative";
    }
    if (check.hasTimeoutSeconds() && check.getTimeoutSeconds() < 0) {
      return "Expecting 'timeout_seconds' to be non-negative";
    }
    return null;
  }

  /** {@code common::validation::validateCheckInfo}. */
  private static String checkProblem(CheckInfo check) {
    if (!check.hasType()) return "CheckInfo must specify 'type'";
    switch (check.getType()) {
      case COMMAND -> {
        if (!check.hasCommand()) return "Expecting 'command' to be set for COMMAND check";
        CommandInfo command = check.getCommand().getCommand();
        if (!command.hasValue()) {
          return "Command check must contain " + (command.getShell() ? "'shell command'" : "'executable path'");
        }
        String env = environmentProblem(command.getEnvironment());
        if (env != null) return "Check's `CommandInfo` is invalid: " + env;
      }
      case HTTP -> {
        if (!check.hasHttp()) return "Expecting 'http' to be set for HTTP check";
        if (check.getHttp().hasPath() && !check.getHttp().getPath().startsWith("/")) {
          return "The path '" + check.getHttp().getPath() + "' of HTTP check must start with '/'";
        }
      }
      case TCP -> {
        if (!check.hasTcp()) return "Expecting 'tcp' to be set for TCP check";
      }
      default -> {
        return "'" + check.getType() + "' is not a valid check type";
      }
    }
    if (check.hasDelaySeconds() && check.getDelaySeconds() < 0) return "Expecting 'delay_seconds' to be non-negative";
    if (check.hasIntervalSeconds() && check.getIntervalSeconds() < 0) {
      return "Expecting 'interval_seconds' to be non-negative";
    }
    if (check.hasTimeoutSeconds() && check.getTimeoutSeconds() < 0) {
      return "Expecting 'timeout_seconds' to be non-negative";
    }
    return null;
  }
}
