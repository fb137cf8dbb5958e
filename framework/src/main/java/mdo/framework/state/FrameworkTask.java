package mdo.framework.state;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import mdo.registry.PortMapping;

/**
 * The scheduler's own record of a task it launched, at {@code /mdo/<env>/framework/tasks/<taskId>}: written before
 * the ACCEPT that launches it (so a scheduler that dies right after the ACCEPT is succeeded by one that knows the task),
 * updated on every state change, deleted when the task has ended. It holds what Mesos status updates do not carry
 * (host, named ports, the versions it runs) so the instance record can be written by whichever scheduler leads.
 *
 * @param agentAttributes the agent's attributes as constraints compare them (rendered text)
 * @param ports named host ports, as the instance record has them
 * @param version the desired state's version at launch (the record's {@code appVersion})
 * @param configVersion the desired state's configuration version at launch: another one means replace it
 * @param state the latest Mesos task state, {@code TASK_STAGING} until the agent reports
 * @param healthy the latest health check result; null while none came (or the service has no check)
 * @param stagedAt when it was launched; orders instances for scale-down (newest first)
 * @param startedAt when it was first reported running; null before
 * @param unreachableSince when its agent became unreachable; null while reachable
 * @param killing the scheduler asked Mesos to kill it (scale-down, replaced, unwanted): its record is draining
 * @param inactive it stayed unreachable past the unreachable timeout and a replacement took its place: it no longer
 *     counts, and is killed if its agent comes back
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FrameworkTask(String taskId, String service, String agentId, String hostname,
    Map<String, String> agentAttributes, Map<String, PortMapping> ports, String version, String configVersion,
    String state, Boolean healthy, String stagedAt, String startedAt, String unreachableSince, boolean killing,
    boolean inactive) {

  public FrameworkTask {
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(hostname, "hostname");
    Objects.requireNonNull(state, "state");
    agentAttributes = agentAttributes == null ? Map.of() : new TreeMap<>(agentAttributes);
    ports = ports == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(ports));
  }

  public boolean running() {
    return "TASK_RUNNING".equals(state);
  }

  public boolean unreachable() {
    return unreachableSince != null;
  }

  public FrameworkTask withState(String newState, Boolean newHealthy, String newStartedAt, String newUnreachableSince) {
    return new FrameworkTask(taskId, service, agentId, hostname, agentAttributes, ports, version, configVersion,
        newState, newHealthy, stagedAt, newStartedAt, newUnreachableSince, killing, inactive);
  }

  public FrameworkTask killed() {
    return new FrameworkTask(taskId, service, agentId, hostname, agentAttributes, ports, version, configVersion, state,
        healthy, stagedAt, startedAt, unreachableSince, true, inactive);
  }

  public FrameworkTask deactivated() {
    return new FrameworkTask(taskId, service, agentId, hostname, agentAttributes, ports, version, configVersion, state,
        healthy, stagedAt, startedAt, unreachableSince, killing, true);
  }
}
