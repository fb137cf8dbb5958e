package mdo.registry.store;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;

/**
 * The registry in memory, with etcd's semantics where the writer depends on them: one revision counter for the whole
 * store, a key's mod revision, create-if-absent and compare-and-swap, all-or-nothing transactions that refuse a key
 * twice or more than {@link #MAX_OPS} operations, values stored as the bytes etcd would hold. For unit tests of the
 * writer's rules in milliseconds; the etcd-backed tests prove the same rules against a real server.
 */
public final class InMemoryRegistryStore implements RegistryStore {
  private record Value(byte[] bytes, long modRevision) {}

  private final Map<String, Value> keys = new TreeMap<>();
  private long revision = 1;
  private int transactions;
  private boolean down;

  /** Reads every value: memory has nothing to save by reusing {@code known}. */
  @Override
  public synchronized Snapshot load(String environment, Known known) {
    check();
    SnapshotReader reader = new SnapshotReader(environment);
    String services = RegistryKeys.services(environment);
    String ordinals = RegistryKeys.ordinals(environment);
    for (Map.Entry<String, Value> e : keys.entrySet()) {
      if (e.getKey().startsWith(services)) reader.instance(e.getKey(), e.getValue().bytes(), e.getValue().modRevision());
      if (e.getKey().startsWith(ordinals)) reader.claim(e.getKey(), e.getValue().bytes(), e.getValue().modRevision());
    }
    return reader.snapshot(revision);
  }

  @Override
  public synchronized Stored read(String environment, String key) {
    check();
    Value v = keys.get(key);
    return v == null ? null : SnapshotReader.decode(environment, key, v.bytes(), v.modRevision());
  }

  @Override
  public synchronized StoredClaim readClaim(String environment, String key) {
    check();
    Value v = keys.get(key);
    return v == null ? null : SnapshotReader.claimOf(environment, key, v.bytes(), v.modRevision());
  }

  @Override
  public synchronized CompletableFuture<Outcome> transact(java.util.List<Change> changes) {
    if (down) return CompletableFuture.failedFuture(new EtcdException("in-memory store is down", null));
    Set<String> seen = new HashSet<>();
    int ops = 0;
    for (Change c : changes) {
      ops += c.ops();
      for (String key : c.keys()) {
        if (!seen.add(key)) {
          return CompletableFuture.failedFuture(new IllegalArgumentException("duplicate key in transaction: " + key));
        }
      }
    }
    if (ops > MAX_OPS) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("too many operations in transaction: " + ops));
    }
    transactions++;
    for (Change c : changes) {
      if (!holds(c) || (c.claim() != null && !holds(c.claim()))) {
        return CompletableFuture.completedFuture(new Outcome(false, revision));
      }
    }
    revision++;
    for (Change c : changes) {
      apply(c);
      if (c.claim() != null) apply(c.claim());
    }
    return CompletableFuture.completedFuture(new Outcome(true, revision));
  }

  private boolean holds(Change c) {
    Value v = keys.get(c.key());
    return c.expectedRevision() == 0 ? v == null : v != null && v.modRevision() == c.expectedRevision();
  }

  private void apply(Change c) {
    if (c instanceof Change.Put p) {
      keys.put(c.key(), new Value(RegistryJson.write(p.record()), revision));
    } else if (c instanceof Change.Claim claim && claim.holder() != null) {
      keys.put(c.key(), new Value(claim.holder().getBytes(StandardCharsets.UTF_8), revision));
    } else {
      keys.remove(c.key());
    }
  }

  @Override
  public synchronized boolean ping(String environment) {
    return !down;
  }

  @Override
  public void close() {}

  /** Writes a value as another program might: not necessarily a record. */
  public synchronized void putRaw(String key, String value) {
    revision++;
    keys.put(key, new Value(value.getBytes(StandardCharsets.UTF_8), revision));
  }

  /** Writes a record behind the writer's back (another subscriber, an operator). */
  public synchronized void put(String key, InstanceRecord record) {
    revision++;
    keys.put(key, new Value(RegistryJson.write(record), revision));
  }

  public synchronized void delete(String key) {
    revision++;
    keys.remove(key);
  }

  /** While down, every call fails as an unreachable etcd would. */
  public synchronized void down(boolean down) {
    this.down = down;
  }

  /** The records now stored under {@code environment}, by key. */
  public synchronized Map<String, InstanceRecord> records(String environment) {
    Map<String, InstanceRecord> out = new TreeMap<>();
    for (Stored s : load(environment).records()) out.put(s.key(), s.record());
    return out;
  }

  /** The ordinal claims now stored under {@code environment}: claim key to the task id holding it. */
  public synchronized Map<String, String> claims(String environment) {
    Map<String, String> out = new TreeMap<>();
    for (StoredClaim c : load(environment).claims()) out.put(c.key(), c.holder());
    return out;
  }

  /** Transactions attempted so far (a resync with nothing to change attempts none). */
  public synchronized int transactions() {
    return transactions;
  }

  private void check() {
    if (down) throw new EtcdException("in-memory store is down", null);
  }
}
