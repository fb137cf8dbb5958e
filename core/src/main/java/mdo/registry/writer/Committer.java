package mdo.registry.writer;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import mdo.registry.store.Change;
import mdo.registry.store.EtcdException;
import mdo.registry.store.GroupCommit;
import mdo.registry.store.RegistryStore;
import mdo.registry.store.Stored;
import mdo.registry.store.StoredClaim;

/**
 * Commits a batch of changes and folds what happened into the {@link RegistryState}: applied changes update it, and a
 * change that lost its compare reloads its key, so the next attempt compares against what the store holds.
 */
final class Committer {
  private final String environment;
  private final RegistryStore store;
  private final GroupCommit commits;
  private final RegistryState state;
  private final RegistryWriter.Observer observer;
  private final AtomicBoolean failedSinceResync = new AtomicBoolean();

  Committer(String environment, RegistryStore store, GroupCommit commits, RegistryState state,
      RegistryWriter.Observer observer) {
    this.environment = environment;
    this.store = store;
    this.commits = commits;
    this.state = state;
    this.observer = observer;
  }

  /** Returns how many changes lost their compare. */
  int commit(List<Change> changes) {
    if (changes.isEmpty()) return 0;
    List<GroupCommit.Result> results;
    try {
      results = commits.commit(changes);
    } catch (EtcdException e) {
      failedSinceResync.set(true);
      observer.etcdError("commit", e);
      throw e;
    }
    int conflicts = 0;
    for (GroupCommit.Result r : results) {
      Change c = r.change();
      if (!r.applied()) {
        conflicts++;
        reload(c);
        if (c.claim() != null) reload(c.claim());
        continue;
      }
      if (c instanceof Change.Put p) {
        state.put(new Stored(p.key(), p.service(), p.record(), r.revision()));
      } else if (c instanceof Change.Delete d) {
        state.delete(d.service(), d.key(), r.revision());
        if (d.previous() != null) state.released(d.previous());
      }
      Change.Claim claim = c instanceof Change.Claim alone ? alone : c.claim();
      if (claim != null && claim.holder() != null) {
        state.claimed(new StoredClaim(claim.key(), claim.service(), claim.ordinal(), claim.holder(), r.revision()));
      } else if (claim != null) {
        state.unclaimed(claim.service(), claim.ordinal(), r.revision());
      }
    }
    if (conflicts > 0) observer.conflicts(conflicts);
    return conflicts;
  }

  /** True once a commit failed since {@link #resynced()}: the registry may miss changes. */
  boolean failedSinceResync() {
    return failedSinceResync.get();
  }

  void resynced() {
    failedSinceResync.set(false);
  }

  private void reload(Change c) {
    try {
      if (c instanceof Change.Claim claim) {
        StoredClaim now = store.readClaim(environment, claim.key());
        if (now == null) state.unclaimed(claim.service(), claim.ordinal(), Long.MAX_VALUE);
        else state.claimed(now);
        return;
      }
      Stored now = store.read(environment, c.key());
      if (now == null) {
        if (state.get(c.service(), c.key()) != null) state.delete(c.service(), c.key(), Long.MAX_VALUE);
      } else {
        state.put(now);
      }
    } catch (EtcdException e) {
      observer.etcdError("read", e);
    }
  }
}
