package mdo.mesos;

import com.google.protobuf.ByteString;
import java.util.Collection;
import java.util.List;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.scheduler.Protos.Call;

/**
 * The calls mdo sends, shaped like the recorded examples ({@code subscribe_call.json}, {@code decline_call.json}...).
 * All but SUBSCRIBE leave {@code framework_id} unset: the connection fills it from the live subscription.
 */
final class SchedulerCalls {
  private SchedulerCalls() {}

  /**
   * SUBSCRIBE, or re-SUBSCRIBE when the id is known: then both {@code framework_id} and {@code framework_info.id} are
   * set and equal, or the master answers 400 (API.md §1.5). {@code suppressed} re-states a SUPPRESS, because a
   * re-subscribe replaces the suppressed set (API.md A7).
   */
  static Call subscribe(MesosSettings settings, String frameworkId, boolean suppressed) {
    FrameworkInfo.Builder info = FrameworkInfo.newBuilder()
        .setUser(settings.user())
        .setName(settings.frameworkName())
        .setFailoverTimeout(settings.failoverTimeout().toMillis() / 1000.0)
        .setCheckpoint(true) // tasks survive agent restarts; without it an agent socket break loses them (API.md A9)
        .addRoles(settings.role())
        .addCapabilities(capability(FrameworkInfo.Capability.Type.MULTI_ROLE))
        .addCapabilities(capability(FrameworkInfo.Capability.Type.PARTITION_AWARE));
    if (settings.principal() != null) info.setPrincipal(settings.principal());
    if (settings.hostname() != null) info.setHostname(settings.hostname());
    Call.Subscribe.Builder subscribe = Call.Subscribe.newBuilder();
    if (suppressed) subscribe.addSuppressedRoles(settings.role());
    Call.Builder call = Call.newBuilder().setType(Call.Type.SUBSCRIBE);
    if (frameworkId != null) {
      FrameworkID id = FrameworkID.newBuilder().setValue(frameworkId).build();
      info.setId(id);
      call.setFrameworkId(id);
    }
    return call.setSubscribe(subscribe.setFrameworkInfo(info)).build();
  }

  static Call accept(Collection<OfferID> offers, List<Offer.Operation> operations, double refuseSeconds) {
    return Call.newBuilder().setType(Call.Type.ACCEPT)
        .setAccept(Call.Accept.newBuilder().addAllOfferIds(offers).addAllOperations(operations)
            .setFilters(Filters.newBuilder().setRefuseSeconds(refuseSeconds)))
        .build();
  }

  static Call decline(Collection<OfferID> offers, double refuseSeconds) {
    return Call.newBuilder().setType(Call.Type.DECLINE)
        .setDecline(Call.Decline.newBuilder().addAllOfferIds(offers)
            .setFilters(Filters.newBuilder().setRefuseSeconds(refuseSeconds)))
        .build();
  }

  static Call kill(TaskID task, AgentID agent) {
    Call.Kill.Builder kill = Call.Kill.newBuilder().setTaskId(task);
    if (agent != null) kill.setAgentId(agent);
    return Call.newBuilder().setType(Call.Type.KILL).setKill(kill).build();
  }

  /** Echoes the update's agent, task and uuid unchanged (API.md §1.10). */
  static Call acknowledge(AgentID agent, TaskID task, ByteString uuid) {
    return Call.newBuilder().setType(Call.Type.ACKNOWLEDGE)
        .setAcknowledge(Call.Acknowledge.newBuilder().setAgentId(agent).setTaskId(task).setUuid(uuid))
        .build();
  }

  /** Explicit reconciliation of the given tasks with their agents (API.md A8), or implicit when empty. */
  static Call reconcile(Collection<Call.Reconcile.Task> tasks) {
    return Call.newBuilder().setType(Call.Type.RECONCILE).setReconcile(Call.Reconcile.newBuilder().addAllTasks(tasks))
        .build();
  }

  static Call suppress(String role) {
    return Call.newBuilder().setType(Call.Type.SUPPRESS).setSuppress(Call.Suppress.newBuilder().addRoles(role)).build();
  }

  static Call revive(String role) {
    return Call.newBuilder().setType(Call.Type.REVIVE).setRevive(Call.Revive.newBuilder().addRoles(role)).build();
  }

  static Call teardown() {
    return Call.newBuilder().setType(Call.Type.TEARDOWN).build();
  }

  private static FrameworkInfo.Capability capability(FrameworkInfo.Capability.Type type) {
    return FrameworkInfo.Capability.newBuilder().setType(type).build();
  }
}
