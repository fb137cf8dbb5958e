package mdo.registry.writer;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdo.registry.InstanceRecord;
import mdo.registry.store.Change;
import mdo.registry.store.Stored;

/**
 * The changes of one batch, layered over {@link RegistryState}: later events of a batch see earlier ones, a key
 * changed twice becomes one write, and every write compares against the revision the state had.
 */
final class Pending {
  private final RegistryState state;
  private final Map<String, Change> changes = new LinkedHashMap<>();
  private final Map<String, BitSet> used = new HashMap<>();

  Pending(RegistryState state) {
    this.state = state;
  }

  InstanceRecord current(String service, String key) {
    Change c = changes.get(key);
    if (c != null) return c instanceof Change.Put p ? p.record() : null;
    Stored s = state.get(service, key);
    return s == null ? null : s.record();
  }

  /** Records of an instance as this batch would leave them. */
  List<InstanceRecord> byInstance(String service, String instanceId) {
    List<InstanceRecord> found = new ArrayList<>();
    for (Stored s : state.byInstance(service, instanceId)) {
      InstanceRecord r = current(service, s.key());
      if (r != null) found.add(r);
    }
    for (Change c : changes.values()) {
      if (c instanceof Change.Put p && state.get(service, p.key()) == null && p.service().equals(service)
          && instanceId.equals(p.record().instanceId())) {
        found.add(p.record());
      }
    }
    return found;
  }

  void put(String key, InstanceRecord record) {
    Stored s = state.get(record.service(), key);
    changes.put(key, new Change.Put(key, record.service(), record, s == null ? 0 : s.modRevision()));
  }

  void delete(String service, String key) {
    Stored s = state.get(service, key);
    if (s == null) {
      changes.remove(key); // created and ended within one batch: nothing to write
    } else {
      changes.put(key, new Change.Delete(key, service, s.record(), s.modRevision()));
      BitSet bits = used.get(service);
      if (bits != null && s.record() != null) bits.clear(s.record().ordinal()); // a replacement may reuse it
    }
  }

  int allocate(String service, String instanceId) {
    BitSet bits = used.computeIfAbsent(service, this::usedAfterDeletes);
    return state.allocate(instanceId, bits);
  }

  /** Marks an ordinal taken over from a previous incarnation as used. */
  void claim(String service, int ordinal) {
    used.computeIfAbsent(service, this::usedAfterDeletes).set(ordinal);
  }

  private BitSet usedAfterDeletes(String service) {
    BitSet bits = state.usedOrdinals(service);
    for (Change c : changes.values()) {
      if (c instanceof Change.Delete d && d.service().equals(service) && d.previous() != null) {
        bits.clear(d.previous().ordinal());
      }
    }
    return bits;
  }

  List<Change> changes() {
    return new ArrayList<>(changes.values());
  }

  boolean isEmpty() {
    return changes.isEmpty();
  }
}
