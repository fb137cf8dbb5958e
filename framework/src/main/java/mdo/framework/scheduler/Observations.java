package mdo.framework.scheduler;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdo.cluster.Labels;
import mdo.cluster.ServiceDefinition;
import mdo.cluster.TaskObservation;
import mdo.cluster.TaskObservation.Health;
import mdo.framework.desired.DesiredService;
import mdo.framework.state.FrameworkTask;
import mdo.framework.tasks.MesosTaskId;
import mdo.registry.PortMapping;

/**
 * The framework's tasks in the registry writer's terms, exactly as the Marathon view words the same facts: the app id
 * {@code /<env>/<service>}, Marathon's instance id and incarnation (from the task id), the agent's host name, named host
 * ports (the container port, or the host port with host networking), the service's labels, the version the task was
 * launched with, TASK_KILLING-like draining for tasks being killed. A container cannot tell which backend wrote it.
 */
final class Observations {
  private Observations() {}

  /**
   * @param desired the service's desired state, for its labels and whether it is health checked; null when it has none
   * @param healthKnown whether {@code task.healthy()} is a check result this observation carries (a status update
   *     without one leaves the record's health as it is)
   * @param time when it happened; null for a listing
   */
  static TaskObservation.Task of(String environment, FrameworkTask task, DesiredService desired, boolean healthKnown,
      Instant time) {
    MesosTaskId id = MesosTaskId.parse(task.taskId()).orElseThrow(() ->
        new IllegalArgumentException("not a task id of mdo's: " + task.taskId()));
    boolean checked = desired != null && desired.definition().health() != null;
    Health health = !checked ? Health.NO_CHECKS
        : !healthKnown || task.healthy() == null ? Health.UNKNOWN
        : task.healthy() ? Health.HEALTHY : Health.UNHEALTHY;
    Map<String, String> labels = desired != null ? desired.definition().labels()
        : Map.of(Labels.SERVICE, task.service(), Labels.ENVIRONMENT, environment);
    return new TaskObservation.Task(task.service(), Labels.appId(environment, task.service()), task.taskId(),
        id.instanceId(), id.incarnation(), task.hostname(), task.ports(), labels, task.state(), health, task.killing(),
        task.version(), task.agentId(), task.startedAt(), task.stagedAt(), time);
  }

  /** Named host ports as the registry has them: the container side is the host port with host networking. */
  static Map<String, PortMapping> ports(ServiceDefinition definition, List<Integer> hostPorts) {
    Map<String, PortMapping> out = new LinkedHashMap<>();
    boolean bridged = !definition.commandOnly() && !definition.hostNetworking();
    for (int i = 0; i < definition.ports().size(); i++) {
      ServiceDefinition.Port p = definition.ports().get(i);
      int host = hostPorts.get(i);
      out.put(p.name(), new PortMapping(host, bridged && p.containerPort() > 0 ? p.containerPort() : host,
          p.protocol()));
    }
    return out;
  }
}
