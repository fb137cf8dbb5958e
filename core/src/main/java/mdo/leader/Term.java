package mdo.leader;

import mdo.registry.store.Fence;

/**
 * One leadership, held from election until deposition: its key exists with this create revision for as long as the
 * lease is kept alive. Writes that must come from the leader compare the key's create revision with
 * {@link #revision()}, so etcd refuses them once the term has ended, whatever the former leader believes.
 *
 * @param key the leader key, {@code /mdo/<env>/leaders/<role>}
 * @param revision the key's create revision: unique to this term
 * @param lease the etcd lease the key is bound to
 * @param leader what the key holds
 */
public record Term(String key, long revision, long lease, Leader leader) {
  /** What a fenced store makes every write compare. */
  public Fence.Guard guard() {
    return new Fence.Guard(key, revision);
  }

  @Override
  public String toString() {
    return "term " + revision + ", lease " + Long.toHexString(lease);
  }
}
