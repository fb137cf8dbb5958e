package mdo.framework.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mdo.cluster.ServiceDefinition;
import mdo.config.VolumeSpec;
import mdo.framework.desired.DesiredService;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.ContainerInfo;
import org.apache.mesos.v1.Protos.DiscoveryInfo;
import org.apache.mesos.v1.Protos.Environment;
import org.apache.mesos.v1.Protos.Label;
import org.apache.mesos.v1.Protos.Labels;
import org.apache.mesos.v1.Protos.Parameter;
import org.apache.mesos.v1.Protos.Port;
import org.apache.mesos.v1.Protos.Ports;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.Volume;

/**
 * Turns a {@link ServiceDefinition} and an agent's offered resources into the {@code TaskInfo} of one instance (API.md
 * §1.9):
 *
 * <ul>
 *   <li>an image runs in the Docker containerizer, with BRIDGE port mappings (host ports carved from the offer, a
 *       fixed port mapped to its own number) or host networking; the task id is also passed as the {@code docker run}
 *       label {@code MESOS_TASK_ID}, as Marathon does;
 *   <li>a plain {@code cmd} or {@code args} runs in the Mesos containerizer on the host network;
 *   <li>{@code cmd} runs under {@code /bin/sh -c}; {@code args} is the argv (of the image's entrypoint, for Docker);
 *       neither runs the image's own command;
 *   <li>the environment of {@link TaskEnvironment}, named ports in {@code DiscoveryInfo} (host port numbers, what
 *       peers connect to), the health check of {@link HealthChecks}, and the definition's labels (with
 *       {@code MDO_SERVICE}/{@code MDO_ENVIRONMENT}).
 * </ul>
 */
public final class TaskInfoBuilder {
  private TaskInfoBuilder() {}

  /**
   * Claims the task's resources from {@code offered}, fixed ports at their number and the others wherever free
   * (nothing is claimed when this throws).
   *
   * @param desired the service's definition, and the version and service ports the task is launched with
   *     ({@code MARATHON_APP_VERSION}, {@code PORT_<number>}, as Marathon sets them)
   */
  public static TaskInfo build(DesiredService desired, MesosTaskId taskId, OfferedResources offered)
      throws ResourceShortfallException {
    return claimAndBuild(desired, taskId, offered, desired.definition().ports());
  }

  /**
   * The same with the host ports a placement chose ({@code TaskPlacement.ports()}, in the definition's port order):
   * exactly those are claimed, so the task gets the ports the placer accounted for.
   */
  public static TaskInfo build(DesiredService desired, MesosTaskId taskId, OfferedResources offered,
      List<Integer> placedPorts) throws ResourceShortfallException {
    ServiceDefinition service = desired.definition();
    if (placedPorts.size() != service.ports().size()) {
      throw new IllegalArgumentException(service.id() + " has " + service.ports().size() + " ports, placed "
          + placedPorts.size());
    }
    List<ServiceDefinition.Port> pinned = new ArrayList<>();
    for (int i = 0; i < placedPorts.size(); i++) {
      ServiceDefinition.Port p = service.ports().get(i);
      pinned.add(new ServiceDefinition.Port(p.name(), p.containerPort(), placedPorts.get(i), p.protocol()));
    }
    return claimAndBuild(desired, taskId, offered, pinned);
  }

  private static TaskInfo claimAndBuild(DesiredService desired, MesosTaskId taskId, OfferedResources offered,
      List<ServiceDefinition.Port> claimed) throws ResourceShortfallException {
    ServiceDefinition service = desired.definition();
    if (!taskId.appId().equals(service.id())) {
      throw new IllegalArgumentException("task id " + taskId + " is not of " + service.id());
    }
    if (service.commandOnly() && service.cmd() == null && service.args() == null) {
      throw new IllegalArgumentException(service.id() + " has neither an image nor a command to run");
    }
    OfferedResources.Claim claim = offered.claim(service.cpus(), service.mem(), claimed);
    List<Integer> hostPorts = claim.hostPorts();
    Map<String, String> env = TaskEnvironment.variables(desired, taskId, offered.hostname(), hostPorts);
    TaskInfo.Builder task = TaskInfo.newBuilder()
        .setName(taskId.service() + "." + taskId.environment()) // Marathon's hostname form of /<env>/<service>
        .setTaskId(TaskID.newBuilder().setValue(taskId.value()))
        .setAgentId(offered.agentId())
        .addAllResources(claim.resources())
        .setCommand(command(service, env))
        .setContainer(container(service, taskId, hostPorts))
        .setDiscovery(discovery(service, taskId, hostPorts))
        .setLabels(labels(service));
    if (service.health() != null) task.setHealthCheck(HealthChecks.of(service, service.health(), hostPorts));
    return task.build();
  }

  /** Docker bridge networking: the task listens on container ports behind host-port mappings. */
  static boolean bridged(ServiceDefinition service) {
    return !service.commandOnly() && !service.hostNetworking();
  }

  private static CommandInfo command(ServiceDefinition service, Map<String, String> env) {
    Environment.Builder variables = Environment.newBuilder();
    env.forEach((name, value) -> variables.addVariables(Environment.Variable.newBuilder().setName(name).setValue(value)));
    CommandInfo.Builder command = CommandInfo.newBuilder().setEnvironment(variables);
    if (service.cmd() != null) return command.setShell(true).setValue(service.cmd()).build();
    command.setShell(false);
    if (service.args() != null) {
      // Docker passes the arguments to the image's entrypoint; the Mesos containerizer execs value with argv
      if (service.commandOnly()) command.setValue(service.args().get(0));
      command.addAllArguments(service.args());
    }
    return command.build();
  }

  private static ContainerInfo container(ServiceDefinition service, MesosTaskId taskId, List<Integer> hostPorts) {
    if (service.commandOnly()) return ContainerInfo.newBuilder().setType(ContainerInfo.Type.MESOS).build();
    boolean bridge = bridged(service);
    ContainerInfo.DockerInfo.Builder docker = ContainerInfo.DockerInfo.newBuilder()
        .setImage(service.image())
        .setNetwork(bridge ? ContainerInfo.DockerInfo.Network.BRIDGE : ContainerInfo.DockerInfo.Network.HOST)
        .addParameters(Parameter.newBuilder().setKey("label").setValue("MESOS_TASK_ID=" + taskId.value()));
    if (bridge) {
      for (int i = 0; i < service.ports().size(); i++) {
        ServiceDefinition.Port p = service.ports().get(i);
        docker.addPortMappings(ContainerInfo.DockerInfo.PortMapping.newBuilder()
            .setHostPort(hostPorts.get(i)).setContainerPort(p.containerPort()).setProtocol(p.protocol()));
      }
    }
    ContainerInfo.Builder container = ContainerInfo.newBuilder().setType(ContainerInfo.Type.DOCKER).setDocker(docker);
    for (VolumeSpec v : service.volumes()) {
      container.addVolumes(Volume.newBuilder().setContainerPath(v.containerPath()).setHostPath(v.hostPath())
          .setMode("RO".equalsIgnoreCase(v.mode()) ? Volume.Mode.RO : Volume.Mode.RW));
    }
    return container.build();
  }

  private static DiscoveryInfo discovery(ServiceDefinition service, MesosTaskId taskId, List<Integer> hostPorts) {
    Ports.Builder ports = Ports.newBuilder();
    for (int i = 0; i < service.ports().size(); i++) {
      ServiceDefinition.Port p = service.ports().get(i);
      ports.addPorts(Port.newBuilder().setNumber(hostPorts.get(i)).setName(p.name()).setProtocol(p.protocol()));
    }
    return DiscoveryInfo.newBuilder()
        .setVisibility(DiscoveryInfo.Visibility.FRAMEWORK)
        .setName(taskId.service())
        .setEnvironment(taskId.environment())
        .setPorts(ports)
        .build();
  }

  private static Labels labels(ServiceDefinition service) {
    Labels.Builder labels = Labels.newBuilder();
    service.labels().forEach((k, v) -> labels.addLabels(Label.newBuilder().setKey(k).setValue(v)));
    return labels.build();
  }
}
