package mdo.devcluster.mesos.master;

import java.util.List;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.MasterInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.Protos.TimeInfo;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * The scheduler events the master sends ({@code src/internal/evolve.cpp}) and the task statuses it makes up itself
 * ({@code protobuf::createStatusUpdate} with source SOURCE_MASTER and no uuid, so nobody acknowledges them).
 */
final class Events {
  private Events() {}

  static Event subscribed(FrameworkID id, double heartbeatSeconds, MasterInfo master) {
    return Event.newBuilder().setType(Event.Type.SUBSCRIBED).setSubscribed(Event.Subscribed.newBuilder()
        .setFrameworkId(id).setHeartbeatIntervalSeconds(heartbeatSeconds).setMasterInfo(master)).build();
  }

  static Event heartbeat() {
    return Event.newBuilder().setType(Event.Type.HEARTBEAT).build();
  }

  static Event offers(List<Offer> offers) {
    return Event.newBuilder().setType(Event.Type.OFFERS).setOffers(Event.Offers.newBuilder().addAllOffers(offers))
        .build();
  }

  static Event rescind(OfferID offer) {
    return Event.newBuilder().setType(Event.Type.RESCIND).setRescind(Event.Rescind.newBuilder().setOfferId(offer))
        .build();
  }

  static Event update(TaskStatus status) {
    return Event.newBuilder().setType(Event.Type.UPDATE).setUpdate(Event.Update.newBuilder().setStatus(status)).build();
  }

  static Event error(String message) {
    return Event.newBuilder().setType(Event.Type.ERROR).setError(Event.Error.newBuilder().setMessage(message)).build();
  }

  /** A status the master generates: no uuid, source master, timestamp now. */
  static TaskStatus.Builder masterStatus(AgentID agent, TaskID task, TaskState state, String message,
                                         TaskStatus.Reason reason) {
    TaskStatus.Builder status = TaskStatus.newBuilder()
        .setTaskId(task)
        .setState(state)
        .setSource(TaskStatus.Source.SOURCE_MASTER)
        .setMessage(message)
        .setTimestamp(now());
    if (agent != null) status.setAgentId(agent);
    if (reason != null) status.setReason(reason);
    return status;
  }

  static TaskStatus.Builder withExecutor(TaskStatus.Builder status, ExecutorID executor) {
    return executor == null ? status : status.setExecutorId(executor);
  }

  static TimeInfo timeNow() {
    return TimeInfo.newBuilder().setNanoseconds(System.currentTimeMillis() * 1_000_000L).build();
  }

  /** Seconds since the epoch, as {@code Clock::now().secs()}. */
  static double now() {
    return System.currentTimeMillis() / 1000.0;
  }
}
