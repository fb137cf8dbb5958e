package mdo.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import java.util.Objects;

/**
 * What etcd holds for one running container, at {@link RegistryKeys#instance}. One key per instance, so writers never
 * read-modify-write a shared document.
 *
 * @param service the mdo service name (the key under {@code services:} in config.yaml)
 * @param taskId the Marathon/Mesos task id; also the last segment of the key
 * @param instanceId Marathon's instance id (stable across relaunches since 1.8; equal to the task id before)
 * @param ordinal 0..n-1, stable for the life of the instance and reused by its replacement; at most
 *     {@link #MAX_ORDINAL}: a value beyond is bad data, refused like malformed JSON
 * @param host the agent's host name or address: where the host ports are reachable
 * @param ports named ports, in the order of the app's port mappings
 * @param state the Mesos task state name, e.g. {@code TASK_RUNNING}
 * @param healthy {@code null} when the app has no health checks
 * @param draining the task is being killed (TASK_KILLING, or killed for failing health checks)
 * @param eventTimestamp the Marathon timestamp of the event or listing this record was derived from; writes carrying an
 *     older timestamp are ignored
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InstanceRecord(
    String service,
    String taskId,
    String instanceId,
    int ordinal,
    String host,
    Map<String, PortMapping> ports,
    Map<String, String> labels,
    String state,
    Boolean healthy,
    boolean draining,
    String appId,
    String appVersion,
    String agentId,
    String startedAt,
    String eventTimestamp) {

  /**
   * The highest ordinal a record may carry. Ordinals are dense (0..n-1), so a larger one is corrupt data; readers
   * refuse it rather than allocate for it (the writer tracks ordinals in a bit set).
   */
  public static final int MAX_ORDINAL = 100_000;

  /** A record whose ordinal is negative or above {@link #MAX_ORDINAL}. */
  public static final class BadOrdinal extends IllegalArgumentException {
    BadOrdinal(int ordinal) {
      super("ordinal " + ordinal + " is outside 0.." + MAX_ORDINAL);
    }
  }

  public InstanceRecord {
    if (ordinal < 0 || ordinal > MAX_ORDINAL) throw new BadOrdinal(ordinal);
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(host, "host");
    ports = ports == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(ports));
    labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(labels));
    if (instanceId == null) instanceId = taskId;
    if (state == null) state = "TASK_RUNNING";
  }

  /** Running, not draining, and healthy or without health checks: what node lists return by default. */
  public boolean ready() {
    return "TASK_RUNNING".equals(state) && !draining && !Boolean.FALSE.equals(healthy);
  }
}
