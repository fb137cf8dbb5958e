package mdo.devcluster.mesos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import mdo.devcluster.mesos.agent.Agent;
import mdo.devcluster.mesos.master.Leadership;
import mdo.devcluster.mesos.master.Master;
import mdo.devcluster.mesos.master.MasterServer;
import org.apache.mesos.v1.Protos.AgentID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dev cluster's Mesos mode: a master (or several, one leading) serving the v1 scheduler API on
 * {@link #url()}, and one agent running tasks on this machine. {@link #close()} stops every task and server.
 *
 * <p>Scenario hooks: {@link #partitionAgent()} / {@link #healAgent()} (agent loss and return) and
 * {@link #failOverMaster()} (leadership moves to the next master).
 *
 * <pre>{@code
 * try (MesosDevCluster cluster = MesosDevCluster.start(MesosSettings.defaults(dir).withPort(0))) {
 *   String master = cluster.url();   // POST master + "/api/v1/scheduler"
 * }
 * }</pre>
 */
public final class MesosDevCluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MesosDevCluster.class);
  private final MesosSettings settings;
  private final List<Master> masters = new ArrayList<>();
  private final List<MasterServer> servers = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private final LocalNetwork network;
  private final Agent agent;
  private volatile int leader;

  private MesosDevCluster(MesosSettings settings) {
    this.settings = settings;
    // The Mesos 1.11.0 classes are protoc 3.5 gencode; protobuf-java 3.25 would warn once per message type.
    if (System.getProperty("com.google.protobuf.use_unsafe_pre22_gencode") == null) {
      System.setProperty("com.google.protobuf.use_unsafe_pre22_gencode", "true");
    }
    try {
      Files.createDirectories(settings.stateDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create state dir " + settings.stateDir(), e);
    }
    Leadership leadership = new Leadership() {
      @Override
      public boolean leads(Master master) {
        return masters.indexOf(master) == leader;
      }

      @Override
      public Optional<String> leaderAddress() {
        return leader < ports.size() ? Optional.of(advertised() + ":" + ports.get(leader)) : Optional.empty();
      }
    };
    Master.Settings masterSettings = new Master.Settings(settings.heartbeat(), settings.allocationInterval(),
        settings.offerTimeout(), 50);
    try {
      for (int i = 0; i < settings.masters(); i++) {
        Master master = new Master(masterSettings, leadership);
        MasterServer server = new MasterServer(master, settings.host(), i == 0 ? settings.port() : 0,
            settings.credentials());
        masters.add(master);
        servers.add(server);
        ports.add(server.start());
        master.start(advertised(), ports.get(i));
      }
    } catch (RuntimeException e) {
      closeMasters();
      throw new IllegalStateException("could not serve on " + settings.host() + ":" + settings.port() + ": "
          + e.getMessage(), e);
    }
    this.network = new LocalNetwork(() -> masters.get(leader));
    this.agent = new Agent(new Agent.Settings(settings.hostname(), 5051, settings.agentResources().toList(),
        settings.stateDir(), settings.containerEngines(), settings.updateRetry(), settings.maxUpdateRetry(),
        settings.defaultKillGrace()), network);
    agent.register();
    if (!agent.awaitRegistered(Duration.ofSeconds(10))) {
      agent.close();
      closeMasters();
      throw new IllegalStateException("the agent did not register with the master within 10 s");
    }
    log.info("serving: Mesos master on {} (agent {} with {}, state in {})", url(), agent.id().getValue(),
        settings.agentResources(), settings.stateDir());
  }

  public static MesosDevCluster start(MesosSettings settings) {
    return new MesosDevCluster(settings);
  }

  /** The host name masters give each other in redirects. */
  private String advertised() {
    return settings.host().equals("0.0.0.0") || settings.host().equals("::") ? "localhost"
        : settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
  }

  /** {@code http://host:port} of the leading master. */
  public String url() {
    return urlOf(leader);
  }

  /** {@code http://host:port} of master {@code index} (0 leads at start). */
  public String urlOf(int index) {
    return "http://" + advertised() + ":" + ports.get(index);
  }

  public int port() {
    return ports.get(leader);
  }

  public MesosSettings settings() {
    return settings;
  }

  public AgentID agentId() {
    return agent.id();
  }

  /** Tasks whose process still runs on the agent. */
  public int liveTasks() {
    return agent.liveTasks();
  }

  /**
   * Agent loss: the network to the agent breaks and the master declares it unreachable (as after 5 missed pings),
   * so partition-aware frameworks see TASK_UNREACHABLE. The agent's processes keep running.
   */
  public void partitionAgent() {
    network.partition(true);
    masters.get(leader).markUnreachable(agent.id());
  }

  /** The agent is back: it re-registers with everything it runs (TASK_* with REASON_AGENT_REREGISTERED). */
  public void healAgent() {
    network.partition(false);
    agent.register();
  }

  /**
   * Master failover: the leader steps down (its subscription streams close; it answers 307 from then on) and the
   * next master leads, knowing the agent from the registry until the agent re-registers with it.
   */
  public void failOverMaster() {
    if (masters.size() < 2) throw new IllegalStateException("only one master runs; start with withMasters(2)");
    Master old = masters.get(leader);
    AgentID agentId = agent.id();
    old.stepDown();
    leader = (leader + 1) % masters.size();
    masters.get(leader).recoverAgent(agentId);
    log.info("failover: master {} leads now", url());
    agent.register();
  }

  private void closeMasters() {
    for (Master master : masters) master.close();
    for (MasterServer server : servers) server.close();
  }

  @Override
  public void close() {
    log.info("stopping: Mesos master on {} and its agent", url());
    agent.close();
    closeMasters();
  }
}
