package mdo.e2e;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import mdo.devcluster.mesos.agent.Agent;
import mdo.devcluster.mesos.link.AgentChannel;
import mdo.devcluster.mesos.link.AgentRegistration;
import mdo.devcluster.mesos.link.MasterChannel;
import mdo.devcluster.mesos.link.StatusUpdate;
import mdo.devcluster.mesos.master.Leadership;
import mdo.devcluster.mesos.master.Master;
import mdo.devcluster.mesos.master.MasterServer;
import mdo.devcluster.mesos.resources.Resources;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.KillPolicy;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;

/**
 * The dev cluster's Mesos master with two of its agents (on this machine, with port ranges of their own), each behind
 * a link a test can cut: the fault {@code bin/devcluster up --mesos} cannot make with its one agent, an agent lost
 * while another can take its tasks.
 */
final class TwoAgentMesos implements AutoCloseable {
  private final Master master;
  private final MasterServer server;
  private final int port;
  private final List<Link> links = new ArrayList<>();
  private final List<Agent> agents = new ArrayList<>();

  TwoAgentMesos(Path stateDir) {
    Leadership leadership = new Leadership() {
      @Override
      public boolean leads(Master m) {
        return true;
      }

      @Override
      public Optional<String> leaderAddress() {
        return Optional.of("127.0.0.1:" + port());
      }
    };
    master = new Master(new Master.Settings(Duration.ofSeconds(1), Duration.ofMillis(200), null, 50), leadership);
    server = new MasterServer(master, "127.0.0.1", 0, null);
    port = server.start();
    master.start("127.0.0.1", port);
    for (String ports : List.of("37000-37499", "37500-37999")) {
      Link link = new Link(master);
      Agent agent = new Agent(new Agent.Settings("127.0.0.1", 5051, Resources.parse("cpus:2;mem:2048;disk:10000;ports:["
          + ports + "]").toList(), stateDir.resolve("agent-" + ports), List.of("docker", "podman"), Duration.ofSeconds(1),
          Duration.ofMinutes(1), Duration.ofSeconds(2)), link);
      agent.register();
      if (!agent.awaitRegistered(Duration.ofSeconds(10))) throw new IllegalStateException("agent did not register");
      links.add(link);
      agents.add(agent);
    }
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  private int port() {
    return port;
  }

  AgentID agentId(int agent) {
    return agents.get(agent).id();
  }

  int liveTasks(int agent) {
    return agents.get(agent).liveTasks();
  }

  /** The agent is cut off and the master declares it unreachable (as after its missed pings); its tasks keep running. */
  void partition(int agent) {
    links.get(agent).cut = true;
    master.markUnreachable(agents.get(agent).id());
  }

  /** The agent is back: it re-registers with everything it runs. */
  void heal(int agent) {
    links.get(agent).cut = false;
    agents.get(agent).register();
  }

  @Override
  public void close() {
    agents.forEach(Agent::close);
    master.close();
    server.close();
  }

  /** One agent's network: while cut, every message in either direction is lost. */
  private static final class Link implements MasterChannel {
    private final Master master;
    private volatile boolean cut;

    Link(Master master) {
      this.master = master;
    }

    @Override
    public void register(AgentRegistration r) {
      if (cut) return;
      master.register(new AgentRegistration(r.agentId(), r.hostname(), r.port(), r.resources(), r.attributes(),
          r.tasks(), r.frameworks(), new ToAgent(r.channel())));
    }

    @Override
    public void statusUpdate(StatusUpdate update) {
      if (!cut) master.statusUpdate(update);
    }

    private final class ToAgent implements AgentChannel {
      private final AgentChannel agent;

      ToAgent(AgentChannel agent) {
        this.agent = agent;
      }

      @Override
      public void registered(AgentID id) {
        if (!cut) agent.registered(id);
      }

      @Override
      public void runTask(FrameworkInfo framework, TaskInfo task) {
        if (!cut) agent.runTask(framework, task);
      }

      @Override
      public void killTask(FrameworkID framework, TaskID task, KillPolicy policy) {
        if (!cut) agent.killTask(framework, task, policy);
      }

      @Override
      public void acknowledge(FrameworkID framework, TaskID task, ByteString uuid) {
        if (!cut) agent.acknowledge(framework, task, uuid);
      }

      @Override
      public void shutdownFramework(FrameworkID framework) {
        if (!cut) agent.shutdownFramework(framework);
      }

      @Override
      public void frameworkReconnected(FrameworkID framework) {
        if (!cut) agent.frameworkReconnected(framework);
      }
    }
  }
}
