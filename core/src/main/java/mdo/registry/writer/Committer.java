package mdo.registry.writer;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import mdo.registry.store.Change;
import mdo.registry.store.EtcdException;
import mdo.registry.store.GroupCommit;
import mdo.registry.store.RegistryStore;
import mdo.registry.store.Stored;

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
      } else if (c instanceof Change.Put p) {
        state.put(new Stored(p.key(), p.service(), p.record(), r.revision()));
      } else if (c instanceof Change.Delete d) {
        state.delete(d.service(), d.key(), r.revision());
        if (d.previous() != null) state.released(d.previous());
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
