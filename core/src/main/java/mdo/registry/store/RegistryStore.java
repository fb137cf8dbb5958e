package mdo.registry.store;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where the registry's instance records live: etcd in production ({@link EtcdRegistryStore}), memory in unit tests
 * ({@link InMemoryRegistryStore}). Every write is a compare-and-swap on the key's mod revision, so the writer's rules
 * hold whatever else writes the same keys. Failures to reach the store are {@link EtcdException}s.
 */
public interface RegistryStore extends AutoCloseable {
  /** Every instance key of {@code environment}; values that are not records come back with a null record. */
  Snapshot load(String environment);

  /** One key, or null when absent. */
  Stored read(String environment, String key);

  /**
   * One transaction: if every change's compare holds, all are applied at the returned revision; otherwise none is. A
   * transaction holds at most {@link #MAX_CHANGES} changes, each of a different key.
   */
  CompletableFuture<Outcome> transact(List<Change> changes);

  /** A cheap read: true when the store answers. */
  boolean ping(String environment);

  @Override
  void close();

  /** etcd's default {@code --max-txn-ops} is 128. */
  int MAX_CHANGES = 100;

  /** What one transaction did. */
  record Outcome(boolean succeeded, long revision) {}
}
