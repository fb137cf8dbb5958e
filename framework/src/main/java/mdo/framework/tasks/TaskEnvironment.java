package mdo.framework.tasks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import mdo.cluster.ServiceDefinition;

/**
 * The variables a task starts with. Mesos sets none of Marathon's for Docker tasks (API.md A13), so mdo sets them
 * itself, as Marathon's TaskBuilder does (Marathon API.md §5): {@code HOST}, {@code PORT0..n}, {@code PORT},
 * {@code PORTS}, {@code PORT_<NAME>}, {@code PORT_<requested number>}, {@code MESOS_TASK_ID}; then the definition's
 * environment (mdo's {@code ETCD_ENDPOINTS}, {@code MDO_ENVIRONMENT}, {@code SERVICE_NAME}... and the service's own,
 * which overrides everything, as in Marathon).
 */
final class TaskEnvironment {
  private TaskEnvironment() {}

  /** @param hostPorts the host port of each of the service's ports, in the definition's port order */
  static Map<String, String> variables(ServiceDefinition service, MesosTaskId taskId, String host,
      List<Integer> hostPorts) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HOST", host);
    List<String> all = new ArrayList<>();
    boolean bridge = TaskInfoBuilder.bridged(service);
    for (int i = 0; i < hostPorts.size(); i++) {
      ServiceDefinition.Port port = service.ports().get(i);
      String value = Integer.toString(hostPorts.get(i));
      env.put("PORT" + i, value);
      // keyed by the requested number: the container port of a mapping, a fixed port's own number, else (a host port
      // picked for a portDefinition of 0) the port itself
      int requested = bridge ? port.containerPort() : port.fixed() ? port.hostPort() : hostPorts.get(i);
      env.put("PORT_" + requested, value);
      env.put("PORT_" + port.name().toUpperCase(Locale.ROOT), value);
      all.add(value);
    }
    if (!all.isEmpty()) {
      env.put("PORT", all.get(0));
      env.put("PORTS", String.join(",", all));
    }
    env.put("MESOS_TASK_ID", taskId.value());
    env.putAll(service.environment());
    return env;
  }
}
