package mdo.registry.writer;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import mdo.registry.InstanceRecord;
import mdo.registry.store.Snapshot;
import mdo.registry.store.Stored;
import mdo.registry.store.StoredClaim;

/**
 * The writer's mirror of the environment's instance keys and ordinal claims with their mod revisions, so events are
 * applied without a read from etcd. It is refreshed from etcd at every resync and after every conflict; a stale entry
 * costs one failed compare-and-swap, never a wrong write. Updates keep the entry with the highest revision. Each
 * service also keeps the set of ordinals in use (by a record or a claim) and its keys by instance id, so allocating an
 * ordinal or finding an instance's records (every instance and health event) does not scan the service's records.
 */
final class RegistryState {
  private static final class ServiceState {
    final Map<String, Stored> records = new ConcurrentHashMap<>();
    final Map<Integer, Integer> ordinalCounts = new HashMap<>();
    final BitSet used = new BitSet();
    final Map<String, List<Stored>> byInstance = new HashMap<>();
    final Map<Integer, StoredClaim> claims = new HashMap<>();
    final BitSet claimed = new BitSet();

    synchronized void put(Stored stored) {
      Stored old = records.get(stored.key());
      if (old != null && old.modRevision() > stored.modRevision()) return;
      records.put(stored.key(), stored);
      count(old, -1);
      count(stored, +1);
      index(old, stored);
    }

    synchronized void delete(String key, long revision) {
      Stored old = records.get(key);
      if (old == null || old.modRevision() >= revision) return;
      records.remove(key);
      count(old, -1);
      index(old, null);
    }

    synchronized List<Stored> instance(String instanceId) {
      List<Stored> found = byInstance.get(instanceId);
      return found == null ? List.of() : new ArrayList<>(found);
    }

    private void index(Stored old, Stored now) {
      if (old != null && old.record() != null) {
        List<Stored> keys = byInstance.get(old.record().instanceId());
        if (keys != null) {
          keys.removeIf(s -> s.key().equals(old.key()));
          if (keys.isEmpty()) byInstance.remove(old.record().instanceId());
        }
      }
      if (now != null && now.record() != null) {
        byInstance.computeIfAbsent(now.record().instanceId(), i -> new ArrayList<>(1)).add(now);
      }
    }

    synchronized BitSet used() {
      BitSet all = (BitSet) used.clone();
      all.or(claimed);
      return all;
    }

    synchronized void claim(StoredClaim claim) {
      StoredClaim old = claims.get(claim.ordinal());
      if (old != null && old.modRevision() > claim.modRevision()) return;
      claims.put(claim.ordinal(), claim);
      claimed.set(claim.ordinal());
    }

    synchronized void unclaim(int ordinal, long revision) {
      StoredClaim old = claims.get(ordinal);
      if (old == null || old.modRevision() >= revision) return;
      claims.remove(ordinal);
      claimed.clear(ordinal);
    }

    synchronized StoredClaim claimOf(int ordinal) {
      return claims.get(ordinal);
    }

    synchronized List<StoredClaim> allClaims() {
      return new ArrayList<>(claims.values());
    }

    private void count(Stored s, int delta) {
      if (s == null || s.record() == null) return;
      int ordinal = s.record().ordinal();
      int n = ordinalCounts.getOrDefault(ordinal, 0) + delta;
      if (n <= 0) {
        ordinalCounts.remove(ordinal);
        used.clear(ordinal);
      } else {
        ordinalCounts.put(ordinal, n);
        used.set(ordinal);
      }
    }
  }

  private final Map<String, ServiceState> byService = new ConcurrentHashMap<>();
  /** Ordinals of ended instances, so a 1.8+ relaunch (same instance id, new task id) keeps its ordinal. */
  private final Map<String, Integer> releasedOrdinals = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
      return size() > 10_000;
    }
  };

  Stored get(String service, String key) {
    ServiceState s = byService.get(service);
    return s == null ? null : s.records.get(key);
  }

  Collection<Stored> service(String service) {
    ServiceState s = byService.get(service);
    return s == null ? List.of() : s.records.values();
  }

  List<String> services() {
    return new ArrayList<>(byService.keySet());
  }

  List<Stored> all() {
    List<Stored> all = new ArrayList<>();
    byService.values().forEach(s -> all.addAll(s.records.values()));
    return all;
  }

  int size() {
    return byService.values().stream().mapToInt(s -> s.records.size()).sum();
  }

  /** Records of one instance (normally one; two while a relaunch's old incarnation is still stored). */
  List<Stored> byInstance(String service, String instanceId) {
    ServiceState s = byService.get(service);
    return s == null ? List.of() : s.instance(instanceId);
  }

  void put(Stored stored) {
    byService.computeIfAbsent(stored.service(), s -> new ServiceState()).put(stored);
  }

  void delete(String service, String key, long revision) {
    ServiceState s = byService.get(service);
    if (s != null) s.delete(key, revision);
  }

  /** The claim of {@code ordinal} in {@code service} as last read or written, or null. */
  StoredClaim claim(String service, int ordinal) {
    ServiceState s = byService.get(service);
    return s == null ? null : s.claimOf(ordinal);
  }

  List<StoredClaim> claims(String service) {
    ServiceState s = byService.get(service);
    return s == null ? List.of() : s.allClaims();
  }

  void claimed(StoredClaim claim) {
    byService.computeIfAbsent(claim.service(), s -> new ServiceState()).claim(claim);
  }

  void unclaimed(String service, int ordinal, long revision) {
    ServiceState s = byService.get(service);
    if (s != null) s.unclaim(ordinal, revision);
  }

  /**
   * Replaces everything with a snapshot read from etcd at {@code revision}; entries written meanwhile (newer than
   * {@code revision}) stay.
   */
  void replace(Snapshot snapshot) {
    long revision = snapshot.revision();
    Map<String, ServiceState> fresh = new HashMap<>();
    for (Stored s : snapshot.records()) fresh.computeIfAbsent(s.service(), x -> new ServiceState()).put(s);
    for (StoredClaim c : snapshot.claims()) fresh.computeIfAbsent(c.service(), x -> new ServiceState()).claim(c);
    for (Map.Entry<String, ServiceState> e : byService.entrySet()) {
      for (Stored old : e.getValue().records.values()) {
        if (old.modRevision() > revision) fresh.computeIfAbsent(old.service(), x -> new ServiceState()).put(old);
      }
      for (StoredClaim old : e.getValue().allClaims()) {
        if (old.modRevision() > revision) fresh.computeIfAbsent(old.service(), x -> new ServiceState()).claim(old);
      }
    }
    byService.keySet().retainAll(fresh.keySet());
    byService.putAll(fresh);
  }

  synchronized void released(InstanceRecord record) {
    releasedOrdinals.put(record.instanceId(), record.ordinal());
  }

  /** Ordinals in use by a service's stored records or claims: the starting point of {@link #allocate}. */
  BitSet usedOrdinals(String service) {
    ServiceState s = byService.get(service);
    return s == null ? new BitSet() : s.used();
  }

  /**
   * The ordinal for a new instance: the one its previous incarnation had if still free, else the lowest free one.
   * {@code used} starts as {@link #usedOrdinals} and is updated, so one batch never hands out an ordinal twice.
   */
  synchronized int allocate(String instanceId, BitSet used) {
    Integer previous = releasedOrdinals.get(instanceId);
    int ordinal = previous != null && !used.get(previous) ? previous : used.nextClearBit(0);
    if (ordinal > InstanceRecord.MAX_ORDINAL) {
      throw new IllegalStateException("no ordinal left: the service has " + InstanceRecord.MAX_ORDINAL + " instances");
    }
    used.set(ordinal);
    return ordinal;
  }
}
