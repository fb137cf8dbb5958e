package mdo.registry.writer;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import mdo.registry.InstanceRecord;

/**
 * The writer's mirror of the environment's instance keys with their mod revisions, so events are applied without a
 * read from etcd. It is refreshed from etcd at every resync and after every conflict; a stale entry costs one failed
 * compare-and-swap, never a wrong write. Updates keep the entry with the highest revision.
 */
final class RegistryState {
  private final Map<String, Map<String, Stored>> byService = new ConcurrentHashMap<>();
  /** Ordinals of ended instances, so a 1.8+ relaunch (same instance id, new task id) keeps its ordinal. */
  private final Map<String, Integer> releasedOrdinals = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
      return size() > 10_000;
    }
  };

  Stored get(String service, String key) {
    Map<String, Stored> m = byService.get(service);
    return m == null ? null : m.get(key);
  }

  Collection<Stored> service(String service) {
    Map<String, Stored> m = byService.get(service);
    return m == null ? List.of() : m.values();
  }

  List<String> services() {
    return new ArrayList<>(byService.keySet());
  }

  List<Stored> all() {
    List<Stored> all = new ArrayList<>();
    byService.values().forEach(m -> all.addAll(m.values()));
    return all;
  }

  int size() {
    return byService.values().stream().mapToInt(Map::size).sum();
  }

  /** Records of one instance (normally one; two while a relaunch's old incarnation is still stored). */
  List<Stored> byInstance(String service, String instanceId) {
    List<Stored> found = new ArrayList<>();
    for (Stored s : service(service)) {
      if (s.record() != null && instanceId.equals(s.record().instanceId())) found.add(s);
    }
    return found;
  }

  void put(Stored stored) {
    byService.computeIfAbsent(stored.service(), s -> new ConcurrentHashMap<>())
        .merge(stored.key(), stored, (old, now) -> now.modRevision() >= old.modRevision() ? now : old);
  }

  void delete(String service, String key, long revision) {
    Map<String, Stored> m = byService.get(service);
    if (m == null) return;
    m.computeIfPresent(key, (k, old) -> old.modRevision() < revision ? null : old);
  }

  /** Replaces everything with a snapshot read from etcd at {@code revision}; newer entries written meanwhile stay. */
  void replace(List<Stored> snapshot, long revision) {
    Map<String, Map<String, Stored>> fresh = new ConcurrentHashMap<>();
    for (Stored s : snapshot) fresh.computeIfAbsent(s.service(), x -> new ConcurrentHashMap<>()).put(s.key(), s);
    for (Stored old : all()) {
      if (old.modRevision() > revision) fresh.computeIfAbsent(old.service(), x -> new ConcurrentHashMap<>())
          .merge(old.key(), old, (a, b) -> b.modRevision() >= a.modRevision() ? b : a);
    }
    byService.keySet().retainAll(fresh.keySet());
    byService.putAll(fresh);
  }

  synchronized void released(InstanceRecord record) {
    releasedOrdinals.put(record.instanceId(), record.ordinal());
  }

  /** Ordinals in use by a service's stored records: the starting point of {@link #allocate}. */
  BitSet usedOrdinals(String service) {
    BitSet used = new BitSet();
    for (Stored s : service(service)) if (s.record() != null) used.set(s.record().ordinal());
    return used;
  }

  /**
   * The ordinal for a new instance: the one its previous incarnation had if still free, else the lowest free one.
   * {@code used} starts as {@link #usedOrdinals} and is updated, so one batch never hands out an ordinal twice.
   */
  synchronized int allocate(String instanceId, BitSet used) {
    Integer previous = releasedOrdinals.get(instanceId);
    int ordinal = previous != null && !used.get(previous) ? previous : used.nextClearBit(0);
    used.set(ordinal);
    return ordinal;
  }
}
