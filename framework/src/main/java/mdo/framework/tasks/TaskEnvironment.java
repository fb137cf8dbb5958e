package mdo.framework.tasks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import mdo.cluster.ServiceDefinition;
import mdo.framework.desired.DesiredService;

/**
 * The variables a task starts with. Mesos sets none of Marathon's for Docker tasks (API.md A13), so mdo sets them
 * itself, as Marathon's TaskBuilder does (Marathon API.md §5): {@code HOST}, {@code PORT0..n}, {@code PORT},
 * {@code PORTS}, {@code PORT_<NAME>}, {@code PORT_<requested number>}, {@code MESOS_TASK_ID}, {@code MARATHON_APP_ID},
 * {@code MARATHON_APP_VERSION}, {@code MARATHON_APP_DOCKER_IMAGE}, {@code MARATHON_APP_RESOURCE_*} and the labels as
 * {@code MARATHON_APP_LABELS}/{@code MARATHON_APP_LABEL_<KEY>} (so a task cannot tell which backend launched it); then
 * the definition's environment (mdo's {@code ETCD_ENDPOINTS}, {@code MDO_ENVIRONMENT}, {@code SERVICE_NAME}... and
 * the service's own, which overrides everything, as in Marathon).
 */
final class TaskEnvironment {
  private TaskEnvironment() {}

  /** @param hostPorts the host port of each of the service's ports, in the definition's port order */
  static Map<String, String> variables(DesiredService desired, MesosTaskId taskId, String host,
      List<Integer> hostPorts) {
    ServiceDefinition service = desired.definition();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HOST", host);
    List<String> all = new ArrayList<>();
    boolean bridge = TaskInfoBuilder.bridged(service);
    for (int i = 0; i < hostPorts.size(); i++) {
      ServiceDefinition.Port port = service.ports().get(i);
      String value = Integer.toString(hostPorts.get(i));
      env.put("PORT" + i, value);
      // keyed by the requested number: the container port of a mapping, else the port definition's, which with
      // requirePorts false is its service port (the declared number, or the one assigned for a 0)
      int requested = bridge ? port.containerPort() : port.fixed() ? port.hostPort() : desired.servicePorts().get(i);
      if (requested == 0) requested = hostPorts.get(i);
      env.put("PORT_" + requested, value);
      env.put("PORT_" + port.name().toUpperCase(Locale.ROOT), value);
      all.add(value);
    }
    if (!all.isEmpty()) {
      env.put("PORT", all.get(0));
      env.put("PORTS", String.join(",", all));
    }
    env.put("MESOS_TASK_ID", taskId.value());
    env.put("MARATHON_APP_ID", service.id());
    env.put("MARATHON_APP_VERSION", desired.version());
    if (!service.commandOnly()) env.put("MARATHON_APP_DOCKER_IMAGE", service.image());
    env.put("MARATHON_APP_RESOURCE_CPUS", Double.toString(service.cpus())); // Scala's Double.toString: "0.5", "512.0"
    env.put("MARATHON_APP_RESOURCE_MEM", Double.toString(service.mem()));
    env.put("MARATHON_APP_RESOURCE_DISK", Double.toString(0));
    env.put("MARATHON_APP_RESOURCE_GPUS", "0");
    List<String> labelKeys = new ArrayList<>();
    service.labels().forEach((key, value) -> {
      String sanitized = key.replaceAll("[^a-zA-Z0-9_]+", "_").toUpperCase(Locale.ROOT);
      // Marathon skips labels whose variable would be 512 characters or longer (EnvironmentHelper.scala)
      if (sanitized.length() >= 512 - "MARATHON_APP_LABEL_".length() || value.length() >= 512) return;
      labelKeys.add(sanitized);
      env.put("MARATHON_APP_LABEL_" + sanitized, value);
    });
    env.put("MARATHON_APP_LABELS", String.join(" ", labelKeys));
    env.putAll(service.environment());
    return env;
  }
}
