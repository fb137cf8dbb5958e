package mdo.registry.store;

import java.util.List;
import mdo.registry.InstanceRecord;

/**
 * One compare-and-swap write. {@code expectedRevision} is the key's mod revision when the change was computed; 0 means
 * "create only if absent". A record's write may carry the {@link Claim} of its ordinal, committed in the same
 * transaction, so a record never holds an ordinal it did not claim.
 */
public sealed interface Change {
  String key();

  String service();

  long expectedRevision();

  /** The ordinal claim written in the same transaction, or null. */
  Claim claim();

  /** Every key this change writes: etcd refuses a key twice in one transaction. */
  default List<String> keys() {
    return claim() == null ? List.of(key()) : List.of(key(), claim().key());
  }

  /** etcd operations (and compares) it takes, against etcd's per-transaction limit. */
  default int ops() {
    return claim() == null ? 1 : 2;
  }

  record Put(String key, String service, InstanceRecord record, long expectedRevision, Claim claim) implements Change {
    public Put withClaim(Claim c) {
      return new Put(key, service, record, expectedRevision, c);
    }
  }

  record Delete(String key, String service, InstanceRecord previous, long expectedRevision, Claim claim)
      implements Change {
    public Delete withClaim(Claim c) {
      return new Delete(key, service, previous, expectedRevision, c);
    }
  }

  /**
   * The claim of {@code ordinal} in {@code service} ({@code RegistryKeys.ordinal}): given to {@code holder} (a task
   * id), or released when {@code holder} is null. Alone, a repair made by resync; attached to a record's write, part of
   * its transaction.
   */
  record Claim(String key, String service, int ordinal, String holder, long expectedRevision) implements Change {
    @Override
    public Claim claim() {
      return null;
    }
  }
}
