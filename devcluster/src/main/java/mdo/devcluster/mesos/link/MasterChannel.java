package mdo.devcluster.mesos.link;

/** What an agent tells its (leading) master. Lost while the agent is partitioned away. */
public interface MasterChannel {
  /** The agent (re-)registers with everything it runs. */
  void register(AgentRegistration registration);

  void statusUpdate(StatusUpdate update);
}
