package mdo.devcluster.mesos.link;

import com.google.protobuf.ByteString;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.KillPolicy;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;

/**
 * What a master tells an agent (Mesos' {@code RunTaskMessage}, {@code KillTaskMessage},
 * {@code StatusUpdateAcknowledgementMessage}, {@code ShutdownFrameworkMessage}). Delivery is one way and may be lost
 * while the agent is partitioned away, as on a real network.
 */
public interface AgentChannel {
  /** The master accepted the agent's (re-)registration under this id. */
  void registered(AgentID agent);

  void runTask(FrameworkInfo framework, TaskInfo task);

  /** @param policy the KILL call's policy, or null for the task's own */
  void killTask(FrameworkID framework, TaskID task, KillPolicy policy);

  void acknowledge(FrameworkID framework, TaskID task, ByteString uuid);

  /** The framework was removed: kill its tasks and forget its updates. */
  void shutdownFramework(FrameworkID framework);

  /** The framework subscribed again: resend its unacknowledged updates now instead of at the next retry. */
  void frameworkReconnected(FrameworkID framework);
}
