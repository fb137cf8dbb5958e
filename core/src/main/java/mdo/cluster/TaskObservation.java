package mdo.cluster;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import mdo.registry.PortMapping;

/**
 * What a cluster backend saw of one mdo instance, in terms every backend can supply: the registry writer turns these
 * into instance records, and nothing else does. The Marathon view derives them from events and listings; the native
 * framework from Mesos status updates and its own state.
 */
public sealed interface TaskObservation {
  /** Mesos task states after which a task never runs again (API.md §1.3): their records are deleted. */
  Set<String> TERMINAL_STATES = Set.of("TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_DROPPED",
      "TASK_GONE", "TASK_GONE_BY_OPERATOR", "TASK_UNKNOWN");

  String service();

  /** The backend's id of the service's deployment (Marathon's app id; the same form for the native framework). */
  String appId();

  String instanceId();

  /** When the backend says it happened; null for a listing, which the writer dates itself. */
  Instant time();

  /** The same observation dated {@code time} (the writer clamps times a skewed backend clock put in the future). */
  TaskObservation at(Instant time);

  /** Health as far as this observation knows it. */
  enum Health {
    /** The service has no health check. */
    NO_CHECKS,
    /** It has checks, but this observation carries no result: an earlier result stands, else unhealthy. */
    UNKNOWN,
    HEALTHY,
    UNHEALTHY
  }

  /**
   * A task's full state.
   *
   * @param incarnation the relaunch count of the instance (Marathon 1.8+ task ids), 0 when the id carries none: a task
   *     with incarnation above 1 takes over its previous incarnation's ordinal
   * @param host where its ports are reachable (the agent, or the task's own address on a container network)
   * @param state the Mesos task state, e.g. {@code TASK_RUNNING}
   * @param draining the backend is stopping it (e.g. {@code TASK_KILLING})
   * @param startedAt when it started running, in {@link Timestamps}' form; null when the observation does not say
   * @param stagedAt when it was staged; orders new instances when ordinals are handed out
   */
  record Task(String service, String appId, String taskId, String instanceId, long incarnation, String host,
      Map<String, PortMapping> ports, Map<String, String> labels, String state, Health health, boolean draining,
      String version, String agentId, String startedAt, String stagedAt, Instant time) implements TaskObservation {
    public Task {
      ports = Map.copyOf(ports);
      labels = Map.copyOf(labels);
    }

    @Override
    public Task at(Instant time) {
      return new Task(service, appId, taskId, instanceId, incarnation, host, ports, labels, state, health, draining,
          version, agentId, startedAt, stagedAt, time);
    }
  }

  /**
   * A change to an instance known only by its id. Null fields are unchanged.
   *
   * @param ended the instance is gone: its records are deleted
   */
  record Instance(String service, String appId, String instanceId, Boolean healthy, Boolean draining, boolean ended,
      Instant time) implements TaskObservation {
    @Override
    public Instance at(Instant time) {
      return new Instance(service, appId, instanceId, healthy, draining, ended, time);
    }
  }
}
