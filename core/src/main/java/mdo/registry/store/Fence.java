package mdo.registry.store;

/**
 * Who may write: a store with a fence sends nothing without a {@link #guard()}, and makes every transaction compare the
 * guard key's create revision, so etcd refuses the writes of a writer whose right has ended whatever that writer
 * believes. {@code mdo.leader.LeaderElection} is the fence of a process taking part in an election: the guard is its
 * term's leader key.
 */
public interface Fence {
  /** A key that must still have this create revision for a write to apply. */
  record Guard(String key, long createRevision) {}

  /** The guard writes carry now, or {@code null} while this process may not write. */
  Guard guard();

  /** etcd refused a write carrying {@code guard}: its key is gone or was created again. Closes the fence at once. */
  void breached(Guard guard);
}
