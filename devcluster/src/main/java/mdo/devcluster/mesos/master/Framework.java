package mdo.devcluster.mesos.master;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.FrameworkInfo.Capability;

/** A framework as the master tracks it. Only the master's actor thread touches it. */
final class Framework {
  FrameworkInfo info;
  /** The open subscription stream; null while disconnected. */
  Subscription stream;
  /** Offers go only to active frameworks; a disconnected one is inactive. */
  boolean active;
  /** Re-created from a re-subscribe or an agent's tasks after a master failover, before it subscribed here. */
  boolean recovered;
  final Instant registeredTime = Instant.now();
  Instant reregisteredTime = registeredTime;
  final Map<String, TrackedTask> tasks = new LinkedHashMap<>();
  /** Tasks on unreachable agents, by id: their ids may not be reused. */
  final Map<String, TrackedTask> unreachableTasks = new LinkedHashMap<>();
  final Map<String, OutstandingOffer> offers = new LinkedHashMap<>();
  final Set<String> suppressedRoles = new LinkedHashSet<>();
  OfferConstraintsFilter constraints = OfferConstraintsFilter.NONE;
  ScheduledFuture<?> heartbeat;
  ScheduledFuture<?> failoverTimer;

  Framework(FrameworkInfo info) {
    this.info = info;
  }

  FrameworkID id() {
    return info.getId();
  }

  boolean connected() {
    return stream != null;
  }

  boolean hasCapability(Capability.Type type) {
    return info.getCapabilitiesList().stream().anyMatch(c -> c.getType() == type);
  }

  boolean partitionAware() {
    return hasCapability(Capability.Type.PARTITION_AWARE);
  }

  /** MULTI_ROLE frameworks name their roles in {@code roles}; others have the one {@code role} ("*" by default). */
  List<String> roles() {
    return roles(info);
  }

  static List<String> roles(FrameworkInfo info) {
    boolean multiRole = info.getCapabilitiesList().stream().anyMatch(c -> c.getType() == Capability.Type.MULTI_ROLE);
    return multiRole ? List.copyOf(info.getRolesList()) : List.of(info.getRole());
  }

  void send(org.apache.mesos.v1.scheduler.Protos.Event event) {
    if (stream != null) stream.send(event);
  }

  @Override
  public String toString() {
    return info.getId().getValue() + " (" + info.getName() + ")";
  }
}
