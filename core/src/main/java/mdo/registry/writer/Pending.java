package mdo.registry.writer;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryKeys;
import mdo.registry.store.Change;
import mdo.registry.store.Stored;
import mdo.registry.store.StoredClaim;

/**
 * The changes of one batch, layered over {@link RegistryState}: later events of a batch see earlier ones, a key
 * changed twice becomes one write, and every write compares against the revision the state had.
 *
 * <p>Ordinal claims ({@link RegistryKeys#ordinal}) are worked out when the batch is committed ({@link #changes}): a
 * record written with an ordinal it did not have claims it in the same transaction, creating the claim (compare: absent)
 * or taking it over from a record this batch deletes (compare: the claim's revision); a deleted record releases its
 * claim. Two writers can therefore never both give an ordinal away: the second one's compare fails.
 */
final class Pending {
  private final String environment;
  private final RegistryState state;
  private final Map<String, Change> changes = new LinkedHashMap<>();
  private final Map<String, BitSet> used = new HashMap<>();
  private final Map<String, Map<Integer, List<String>>> duplicates = new HashMap<>();

  Pending(String environment, RegistryState state) {
    this.environment = environment;
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
    changes.put(key, new Change.Put(key, record.service(), record, s == null ? 0 : s.modRevision(), null));
  }

  void delete(String service, String key) {
    Stored s = state.get(service, key);
    if (s == null) {
      changes.remove(key); // created and ended within one batch: nothing to write
    } else {
      changes.put(key, new Change.Delete(key, service, s.record(), s.modRevision(), null));
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
        StoredClaim held = state.claim(service, d.previous().ordinal());
        if (held == null || held.holder().equals(d.previous().taskId())) bits.clear(d.previous().ordinal());
      }
    }
    return bits;
  }

  /** The batch's writes, each record write with the claim changes it needs in its own transaction. */
  List<Change> changes() {
    return withClaims(new ArrayList<>(changes.values()), false);
  }

  /**
   * The batch's writes as {@link #changes()}, plus the repairs that make the service's claims match its records: a
   * record without its claim gets it (when nobody else holds it), a claim no record holds is released. Only right
   * after a consistent load (a resync), when the state shows every record and claim at one revision.
   */
  List<Change> changesRepairingClaims() {
    return withClaims(new ArrayList<>(changes.values()), true);
  }

  boolean isEmpty() {
    return changes.isEmpty();
  }

  private List<Change> withClaims(List<Change> batch, boolean repair) {
    Map<String, List<Integer>> byService = new LinkedHashMap<>();
    for (int i = 0; i < batch.size(); i++) byService.computeIfAbsent(batch.get(i).service(), s -> new ArrayList<>()).add(i);
    if (repair) for (String service : state.services()) byService.computeIfAbsent(service, s -> new ArrayList<>());
    List<Change> out = new ArrayList<>(batch);
    for (Map.Entry<String, List<Integer>> e : byService.entrySet()) {
      claims(e.getKey(), e.getValue(), out, repair);
    }
    return out;
  }

  /** Attaches claim changes to the service's record changes at {@code indexes} of {@code out}; repairs append. */
  private void claims(String service, List<Integer> indexes, List<Change> out, boolean repair) {
    Map<String, Integer> deletedTasks = new HashMap<>(); // task id -> index of its delete
    for (int i : indexes) {
      if (out.get(i) instanceof Change.Delete d && d.previous() != null) deletedTasks.put(d.previous().taskId(), i);
    }
    Set<Integer> handled = new HashSet<>(); // ordinals whose claim a change of this batch writes
    for (int i : indexes) {
      if (!(out.get(i) instanceof Change.Put p)) continue;
      Stored before = state.get(service, p.key());
      int ordinal = p.record().ordinal();
      if (before != null && before.record() != null && before.record().ordinal() == ordinal) continue;
      StoredClaim held = state.claim(service, ordinal);
      if (held == null) {
        out.set(i, p.withClaim(claim(service, ordinal, p.record().taskId(), 0)));
        handled.add(ordinal);
      } else if (deletedTasks.containsKey(held.holder())) {
        out.set(i, p.withClaim(claim(service, ordinal, p.record().taskId(), held.modRevision()))); // taken over
        handled.add(ordinal);
      } else if (held.holder().equals(p.record().taskId())) {
        handled.add(ordinal);
      }
      // else held by a record this writer does not see go: a resync reconciles it, nothing is taken by force
    }
    for (int i : deletedTasks.values()) {
      Change.Delete d = (Change.Delete) out.get(i);
      int ordinal = d.previous().ordinal();
      StoredClaim held = state.claim(service, ordinal);
      if (held != null && held.holder().equals(d.previous().taskId()) && handled.add(ordinal)) {
        out.set(i, d.withClaim(claim(service, ordinal, null, held.modRevision())));
      }
    }
    if (repair) repairs(service, handled, out);
  }

  /** After the batch: every record holds its ordinal's claim, every claim belongs to a record. */
  private void repairs(String service, Set<Integer> handled, List<Change> out) {
    Map<Integer, List<String>> holders = new HashMap<>(); // ordinal -> task ids of records with it, after the batch
    for (Stored s : state.service(service)) {
      InstanceRecord r = current(service, s.key());
      if (r != null) holders.computeIfAbsent(r.ordinal(), o -> new ArrayList<>()).add(r.taskId());
    }
    for (Change c : changes.values()) {
      if (c instanceof Change.Put p && p.service().equals(service) && state.get(service, p.key()) == null) {
        holders.computeIfAbsent(p.record().ordinal(), o -> new ArrayList<>()).add(p.record().taskId());
      }
    }
    for (int i = 0; i < out.size(); i++) { // a released claim another record still needs is handed to it instead
      if (out.get(i) instanceof Change.Delete d && d.service().equals(service) && d.claim() != null
          && d.claim().holder() == null && holders.containsKey(d.claim().ordinal())) {
        Change.Claim release = d.claim();
        out.set(i, d.withClaim(claim(service, release.ordinal(), holders.get(release.ordinal()).get(0),
            release.expectedRevision())));
      }
    }
    for (StoredClaim claim : state.claims(service)) {
      if (handled.contains(claim.ordinal())) continue;
      List<String> tasks = holders.getOrDefault(claim.ordinal(), List.of());
      if (tasks.contains(claim.holder())) continue;
      handled.add(claim.ordinal());
      out.add(claim(service, claim.ordinal(), tasks.isEmpty() ? null : tasks.get(0), claim.modRevision()));
    }
    for (Map.Entry<Integer, List<String>> e : holders.entrySet()) {
      if (e.getValue().size() > 1) duplicates.computeIfAbsent(service, x -> new HashMap<>()).put(e.getKey(), e.getValue());
      if (handled.contains(e.getKey()) || state.claim(service, e.getKey()) != null) continue;
      out.add(claim(service, e.getKey(), e.getValue().get(0), 0));
    }
  }

  /**
   * Ordinals that two or more records share after the batch (written before claims existed), by service: found by
   * {@link #changesRepairingClaims}.
   */
  Map<String, Map<Integer, List<String>>> duplicates() {
    return duplicates;
  }

  private Change.Claim claim(String service, int ordinal, String holder, long expectedRevision) {
    return new Change.Claim(RegistryKeys.ordinal(environment, service, ordinal), service, ordinal, holder,
        expectedRevision);
  }
}
