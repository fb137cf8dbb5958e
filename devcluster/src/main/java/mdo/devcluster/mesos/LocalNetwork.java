package mdo.devcluster.mesos;

import com.google.protobuf.ByteString;
import java.util.function.Supplier;
import mdo.devcluster.mesos.link.AgentChannel;
import mdo.devcluster.mesos.link.AgentRegistration;
import mdo.devcluster.mesos.link.MasterChannel;
import mdo.devcluster.mesos.link.StatusUpdate;
import mdo.devcluster.mesos.master.Master;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.KillPolicy;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wire between the agent and the masters: the agent's messages go to whichever master leads, and while the agent
 * is partitioned away every message in either direction is lost, as on a real network.
 */
final class LocalNetwork implements MasterChannel {
  private static final Logger log = LoggerFactory.getLogger(LocalNetwork.class);
  private final Supplier<Master> leader;
  private volatile boolean partitioned;

  LocalNetwork(Supplier<Master> leader) {
    this.leader = leader;
  }

  void partition(boolean cut) {
    partitioned = cut;
  }

  @Override
  public void register(AgentRegistration r) {
    if (dropped("registration")) return;
    leader.get().register(new AgentRegistration(r.agentId(), r.hostname(), r.port(), r.resources(), r.attributes(),
        r.tasks(), r.frameworks(), new ToAgent(r.channel())));
  }

  @Override
  public void statusUpdate(StatusUpdate update) {
    if (dropped("status update " + update.status().getState() + " of " + update.status().getTaskId().getValue())) {
      return;
    }
    leader.get().statusUpdate(update);
  }

  private boolean dropped(String what) {
    if (partitioned) log.info("network: agent partitioned away, {} lost", what);
    return partitioned;
  }

  /** The master's side of the wire to the agent. */
  private final class ToAgent implements AgentChannel {
    private final AgentChannel agent;

    ToAgent(AgentChannel agent) {
      this.agent = agent;
    }

    @Override
    public void registered(AgentID id) {
      if (!dropped("registration answer")) agent.registered(id);
    }

    @Override
    public void runTask(FrameworkInfo framework, TaskInfo task) {
      if (!dropped("launch of " + task.getTaskId().getValue())) agent.runTask(framework, task);
    }

    @Override
    public void killTask(FrameworkID framework, TaskID task, KillPolicy policy) {
      if (!dropped("kill of " + task.getValue())) agent.killTask(framework, task, policy);
    }

    @Override
    public void acknowledge(FrameworkID framework, TaskID task, ByteString uuid) {
      if (!dropped("acknowledgement for " + task.getValue())) agent.acknowledge(framework, task, uuid);
    }

    @Override
    public void shutdownFramework(FrameworkID framework) {
      if (!dropped("shutdown of framework " + framework.getValue())) agent.shutdownFramework(framework);
    }

    @Override
    public void frameworkReconnected(FrameworkID framework) {
      if (!dropped("reconnection of framework " + framework.getValue())) agent.frameworkReconnected(framework);
    }
  }
}
