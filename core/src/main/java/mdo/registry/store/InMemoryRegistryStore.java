package mdo.registry.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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
 * twice, values stored as the bytes etcd would hold. For unit tests of the writer's rules in milliseconds; the
 * etcd-backed tests prove the same rules against a real server.
 */
public final class InMemoryRegistryStore implements RegistryStore {
  private record Value(byte[] bytes, long modRevision) {}

  private final Map<String, Value> keys = new TreeMap<>();
  private long revision = 1;
  private int transactions;
  private boolean down;

  @Override
  public synchronized Snapshot load(String environment) {
    check();
    List<Stored> records = new ArrayList<>();
    int malformed = 0;
    String prefix = RegistryKeys.services(environment);
    for (Map.Entry<String, Value> e : keys.entrySet()) {
      if (!e.getKey().startsWith(prefix)) continue;
      String service = RegistryKeys.serviceOf(environment, e.getKey());
      if (service == null) continue;
      Stored s = stored(environment, e.getKey(), e.getValue());
      if (s.record() == null) malformed++;
      records.add(s);
    }
    return new Snapshot(records, revision, malformed);
  }

  @Override
  public synchronized Stored read(String environment, String key) {
    check();
    Value v = keys.get(key);
    return v == null ? null : stored(environment, key, v);
  }

  @Override
  public synchronized CompletableFuture<Outcome> transact(List<Change> changes) {
    if (down) return CompletableFuture.failedFuture(new EtcdException("in-memory store is down", null));
    Set<String> seen = new HashSet<>();
    for (Change c : changes) {
      if (!seen.add(c.key())) {
        return CompletableFuture.failedFuture(new IllegalArgumentException("duplicate key in transaction: " + c.key()));
      }
    }
    transactions++;
    for (Change c : changes) {
      Value v = keys.get(c.key());
      boolean holds = c.expectedRevision() == 0 ? v == null : v != null && v.modRevision() == c.expectedRevision();
      if (!holds) return CompletableFuture.completedFuture(new Outcome(false, revision));
    }
    revision++;
    for (Change c : changes) {
      if (c instanceof Change.Put p) keys.put(c.key(), new Value(RegistryJson.write(p.record()), revision));
      else keys.remove(c.key());
    }
    return CompletableFuture.completedFuture(new Outcome(true, revision));
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

  /** Transactions attempted so far (a resync with nothing to change attempts none). */
  public synchronized int transactions() {
    return transactions;
  }

  private void check() {
    if (down) throw new EtcdException("in-memory store is down", null);
  }

  private static Stored stored(String environment, String key, Value v) {
    InstanceRecord record;
    try {
      record = RegistryJson.read(v.bytes(), InstanceRecord.class, key);
    } catch (IllegalArgumentException e) {
      record = null;
    }
    return new Stored(key, RegistryKeys.serviceOf(environment, key), record, v.modRevision());
  }
}
