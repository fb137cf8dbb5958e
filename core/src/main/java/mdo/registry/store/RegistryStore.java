package mdo.registry.store;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where the registry's instance records and ordinal claims live: etcd in production ({@link EtcdRegistryStore}), memory
 * in unit tests ({@link InMemoryRegistryStore}). Every write is a compare-and-swap on the key's mod revision, so the
 * writer's rules hold whatever else writes the same keys. Failures to reach the store are {@link EtcdException}s.
 */
public interface RegistryStore extends AutoCloseable {
  /**
   * Every instance key and ordinal claim of {@code environment}, at one revision; values that are not records come
   * back with a null record, and bad data is counted by kind. What {@code known} holds at the same mod revision comes
   * back as it was given, unread.
   */
  Snapshot load(String environment, Known known);

  default Snapshot load(String environment) {
    return load(environment, Known.NOTHING);
  }

  /** One instance key, or null when absent. */
  Stored read(String environment, String key);

  /** One ordinal claim key, or null when absent. */
  StoredClaim readClaim(String environment, String key);

  /**
   * One transaction: if every change's compare holds, all are applied at the returned revision; otherwise none is. A
   * transaction takes at most {@link #MAX_OPS} operations ({@link Change#ops()}), each of a different key.
   */
  CompletableFuture<Outcome> transact(List<Change> changes);

  /** A cheap read: true when the store answers (even with an error). */
  boolean ping(String environment);

  @Override
  void close();

  /** etcd's default {@code --max-txn-ops}: at most this many compares and as many operations per transaction. */
  int MAX_OPS = 128;

  /** What one transaction did. */
  record Outcome(boolean succeeded, long revision) {}
}
