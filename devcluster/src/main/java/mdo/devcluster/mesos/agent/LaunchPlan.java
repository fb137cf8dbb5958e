package mdo.devcluster.mesos.agent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdo.devcluster.mesos.resources.Resources;
import mdo.devcluster.run.LocalTaskRunner;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.ContainerInfo;
import org.apache.mesos.v1.Protos.Environment;
import org.apache.mesos.v1.Protos.Parameter;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.Value;

/**
 * How the agent runs a TaskInfo here: a command as a local process ({@code shell}: {@code /bin/sh -c value}, else
 * {@code value} with its {@code arguments}), a Docker image (DOCKER containerizer, or the Mesos containerizer with a
 * Docker image) with a container engine. The environment is the agent's executor environment ({@code MESOS_*},
 * {@code src/slave/slave.cpp executorEnvironment}) with the task's {@code CommandInfo.environment} on top; the agent
 * adds nothing else, so {@code MESOS_TASK_ID}, {@code HOST} and {@code PORT*} exist only when the scheduler put them
 * there, as with a real agent.
 *
 * @param containerToHostPorts for bridged containers: where a container port is published on this machine
 * @param problem why the task cannot run here (it fails at launch), or null
 */
record LaunchPlan(LocalTaskRunner.Launch launch, Map<Integer, Integer> containerToHostPorts, String problem) {

  static LaunchPlan failed(String problem) {
    return new LaunchPlan(null, Map.of(), problem);
  }

  /** Everything Mesos puts into an executor's environment for a command task. */
  record Context(String frameworkId, String agentId, String agentEndpoint, boolean checkpoint, String role,
                 String containerId, Path sandbox) {}

  static LaunchPlan of(TaskInfo task, Context context) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("MESOS_FRAMEWORK_ID", context.frameworkId());
    env.put("MESOS_EXECUTOR_ID", task.getTaskId().getValue());
    env.put("MESOS_DIRECTORY", context.sandbox().toString());
    env.put("MESOS_SANDBOX", context.sandbox().toString());
    env.put("MESOS_SLAVE_ID", context.agentId());
    env.put("MESOS_AGENT_ENDPOINT", context.agentEndpoint());
    env.put("MESOS_CHECKPOINT", context.checkpoint() ? "1" : "0");
    env.put("MESOS_ALLOCATION_ROLE", context.role());
    CommandInfo command = task.getCommand();
    for (Environment.Variable v : command.getEnvironment().getVariablesList()) {
      if (v.getType() == Environment.Variable.Type.SECRET) {
        if (!v.getSecret().hasValue()) {
          return failed("Environment variable '" + v.getName() + "' refers to a secret by reference, and the dev"
              + " cluster's agent has no secret resolver");
        }
        env.put(v.getName(), v.getSecret().getValue().getData().toStringUtf8());
      } else {
        env.put(v.getName(), v.getValue());
      }
    }
    String image = task.hasContainer() ? image(task.getContainer()) : null;
    if (image != null) return docker(task, image, context, env);
    if (!command.hasValue()) return failed("The task's CommandInfo has no 'value' to run");
    List<String> argv = new ArrayList<>();
    if (command.getShell()) {
      argv.addAll(List.of("/bin/sh", "-c", command.getValue()));
    } else {
      argv.add(command.getValue());
      if (command.getArgumentsCount() > 1) argv.addAll(command.getArgumentsList().subList(1, command.getArgumentsCount()));
    }
    return new LaunchPlan(new LocalTaskRunner.Launch(context.containerId(), argv, null, false, List.of(), Map.of(),
        env), Map.of(), null);
  }

  private static String image(ContainerInfo container) {
    if (container.getType() == ContainerInfo.Type.DOCKER) return container.getDocker().getImage();
    if (container.getType() == ContainerInfo.Type.MESOS && container.getMesos().hasImage()) {
      var image = container.getMesos().getImage();
      return image.hasDocker() ? image.getDocker().getName() : null;
    }
    return null;
  }

  private static LaunchPlan docker(TaskInfo task, String image, Context context, Map<String, String> env) {
    CommandInfo command = task.getCommand();
    if (command.hasValue() || command.getArgumentsCount() > 0) {
      return failed("The dev cluster runs an image with its own command only (CommandInfo.shell=false and no"
          + " value or arguments); image '" + image + "' was given a command");
    }
    ContainerInfo.DockerInfo docker = task.getContainer().getDocker();
    boolean bridge = docker.getNetwork() == ContainerInfo.DockerInfo.Network.BRIDGE
        || docker.getNetwork() == ContainerInfo.DockerInfo.Network.USER;
    List<Value.Range> ports = Resources.of(task.getResourcesList()).ranges("ports");
    List<LocalTaskRunner.PortMapping> mappings = new ArrayList<>();
    Map<Integer, Integer> containerToHost = new LinkedHashMap<>();
    for (ContainerInfo.DockerInfo.PortMapping m : docker.getPortMappingsList()) {
      // src/docker/docker.cpp: a published host port must be one of the task's own ports.
      boolean included = ports.stream().anyMatch(r -> r.getBegin() <= m.getHostPort() && m.getHostPort() <= r.getEnd());
      if (!included) return failed("Port [" + m.getHostPort() + "] not included in resources");
      mappings.add(new LocalTaskRunner.PortMapping(m.getHostPort(), m.getContainerPort(),
          m.hasProtocol() ? m.getProtocol() : "tcp"));
      containerToHost.put(m.getContainerPort(), m.getHostPort());
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    for (Parameter p : docker.getParametersList()) parameters.put(p.getKey(), p.getValue());
    // The Docker containerizer sets no MESOS_TASK_ID, HOST or PORT* (src/docker/docker.cpp).
    env.remove("MESOS_FRAMEWORK_ID");
    env.remove("MESOS_EXECUTOR_ID");
    env.remove("MESOS_DIRECTORY");
    env.remove("MESOS_SLAVE_ID");
    env.remove("MESOS_AGENT_ENDPOINT");
    env.remove("MESOS_CHECKPOINT");
    env.put("MESOS_CONTAINER_NAME", "mesos-" + context.containerId());
    return new LaunchPlan(new LocalTaskRunner.Launch(context.containerId(), null, image, bridge, mappings, parameters,
        env), containerToHost, null);
  }
}
