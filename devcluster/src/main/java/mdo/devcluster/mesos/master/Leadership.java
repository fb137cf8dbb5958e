package mdo.devcluster.mesos.master;

import java.util.Optional;

/** Who leads (ZooKeeper's job for real masters): a non-leading master redirects schedulers to the leader. */
public interface Leadership {
  boolean leads(Master master);

  /** {@code host:port} of the leading master, or empty while none is elected. */
  Optional<String> leaderAddress();
}
