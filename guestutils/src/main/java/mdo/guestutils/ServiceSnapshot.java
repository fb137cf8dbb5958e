package mdo.guestutils;

import java.util.Comparator;
import java.util.List;
import mdo.registry.InstanceRecord;

/**
 * Every instance of one service as seen at one registry revision, in the order every member computes the same way:
 * by ordinal, then by task id.
 */
public record ServiceSnapshot(String service, long revision, List<InstanceRecord> instances) {
  /** The node-list order: stable across members and across calls, so ZooKeeper-style ids can derive from it. */
  public static final Comparator<InstanceRecord> ORDER =
      Comparator.comparingInt(InstanceRecord::ordinal).thenComparing(InstanceRecord::taskId);

  public ServiceSnapshot {
    instances = instances.stream().sorted(ORDER).toList();
  }

  public static ServiceSnapshot empty(String service, long revision) {
    return new ServiceSnapshot(service, revision, List.of());
  }

  /** The instance a maestro "container name" designates: its task id, instance id, or {@code <service>-<ordinal>}. */
  public InstanceRecord find(String container) {
    for (InstanceRecord r : instances) {
      if (r.taskId().equals(container) || r.instanceId().equals(container)) return r;
    }
    for (InstanceRecord r : instances) {
      if ((service + "-" + r.ordinal()).equals(container)) return r;
    }
    return null;
  }
}
