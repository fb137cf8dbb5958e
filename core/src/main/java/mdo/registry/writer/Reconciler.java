package mdo.registry.writer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import mdo.cluster.AppListing;
import mdo.cluster.ClusterView;
import mdo.cluster.TaskObservation;
import mdo.command.Failure;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryKeys;
import mdo.registry.store.BadData;
import mdo.registry.store.Change;
import mdo.registry.store.EtcdException;
import mdo.registry.store.Known;
import mdo.registry.store.RegistryStore;
import mdo.registry.store.Snapshot;
import mdo.registry.store.Stored;
import mdo.registry.store.StoredClaim;
import mdo.registry.writer.ResyncResult.Cause;
import mdo.registry.writer.ResyncResult.Refusal;

/**
 * Resync: list the backend (the truth), compare with the registry, write only the difference. The backend is read
 * first and without locks; then, with observations held back, the registry is read and the changes are committed by
 * compare-and-swap, so an observation applied meanwhile makes its key's write fail instead of being overwritten.
 * Records an observation touched after the listing started ({@code eventTimestamp} past the watermark) and tasks known
 * to have ended are left alone.
 *
 * <p>The deletion guard protects against a listing that lies, never against the truth. The records of an app the
 * backend lists are reconciled against that app's listed tasks, whatever fraction that deletes. Records of an app
 * missing from the listing (an empty listing included) are deleted only when the backend, asked for that app alone,
 * says it is gone or no longer this environment's; anything else keeps them, reported as a {@link Refusal}, until a
 * later resync can confirm. A forced resync deletes them unconfirmed.
 */
final class Reconciler {
  private final String environment;
  private final ClusterView view;
  private final RegistryStore store;
  private final RegistryState state;
  private final Tombstones tombstones;
  private final Locks locks;
  private final Committer committer;
  private final RegistryWriter.Observer observer;
  private final BadItems badItems;
  private final Supplier<Instant> watermark;
  private Map<String, Map<Integer, List<String>>> reportedDuplicates = Map.of();
  /** What the writer holds, so a resync reads only the values that changed. */
  private final Known known = new Known() {
    @Override
    public Stored record(String key) {
      String service = RegistryKeys.serviceOf(environment, key);
      return service == null ? null : state.get(service, key);
    }

    @Override
    public StoredClaim claim(String key) {
      RegistryKeys.OrdinalPath path = RegistryKeys.ordinalPath(environment, key);
      return path == null ? null : state.claim(path.service(), path.ordinal());
    }
  };

  Reconciler(String environment, ClusterView view, RegistryStore store, RegistryState state, Tombstones tombstones,
      Locks locks, Committer committer, RegistryWriter.Observer observer, BadItems badItems,
      Supplier<Instant> watermark) {
    this.environment = environment;
    this.view = view;
    this.store = store;
    this.state = state;
    this.tombstones = tombstones;
    this.locks = locks;
    this.committer = committer;
    this.observer = observer;
    this.badItems = badItems;
    this.watermark = watermark;
  }

  /** What asking the backend for an app missing from its listing said. */
  private record Confirmation(boolean gone, String reason) {}

  ResyncResult resync(boolean force) {
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    Instant mark = watermark.get();
    Map<String, AppListing> listed = new LinkedHashMap<>();
    try {
      for (AppListing app : view.list()) if (app.service() != null) listed.put(app.appId(), app);
    } catch (Failure e) {
      return ResyncResult.failed(started, since(t0), Cause.CLUSTER, e.kind(), view.name() + ": " + e.getMessage());
    }
    long listedAt = System.nanoTime();
    // Asked before the lock, from what the writer knows: asking the backend must not hold back observations.
    Map<String, Confirmation> confirmed = force ? Map.of() : confirm(unlisted(listed), Map.of());
    locks.resync.writeLock().lock();
    try {
      long lockedAt = System.nanoTime();
      Snapshot snapshot = store.load(environment, known);
      long loadedAt = System.nanoTime();
      state.replace(snapshot);
      if (!force) confirmed = confirm(unlisted(listed), confirmed); // apps whose records appeared meanwhile
      Pending pending = new Pending(environment, state);
      Counts counts = new Counts();
      Map<String, Integer> kept = new LinkedHashMap<>();
      Map<String, List<TaskObservation.Task>> desired = new HashMap<>();
      Set<String> services = new LinkedHashSet<>(state.services());
      for (AppListing app : listed.values()) {
        services.add(app.service());
        desired.computeIfAbsent(app.service(), s -> new ArrayList<>()).addAll(app.tasks());
      }
      for (String service : services) {
        List<String> keys = new ArrayList<>();
        for (Stored s : state.service(service)) {
          String appId = s.record() == null ? null : s.record().appId();
          Confirmation c = appId == null || listed.containsKey(appId) ? null : confirmed.get(appId);
          if (appId != null && !listed.containsKey(appId) && !force && (c == null || !c.gone())) {
            kept.merge(appId, 1, Integer::sum);
          } else {
            keys.add(s.key());
          }
        }
        diff(service, desired.getOrDefault(service, List.of()), keys, mark, pending, counts);
      }
      List<Refusal> refused = new ArrayList<>();
      for (Map.Entry<String, Integer> e : kept.entrySet()) {
        refused.add(new Refusal(e.getKey(), e.getValue(), reason(confirmed.get(e.getKey()))));
      }
      if (!refused.isEmpty()) {
        RegistryWriter.log.warn("refused: resync kept {} records of apps missing from {}'s listing: {}",
            refused.stream().mapToInt(Refusal::records).sum(), view.name(), refused);
      }
      List<BadData> bad = counts.bad(snapshot.bad(), view.name());
      badItems.loaded(bad);
      List<Change> changes = pending.changesRepairingClaims();
      reportDuplicates(pending.duplicates());
      int claims = (int) changes.stream().filter(c -> c instanceof Change.Claim).count();
      long comparedAt = System.nanoTime();
      int conflicts = committer.commit(changes);
      RegistryWriter.log.debug("resync phases: listed {} apps in {} ms, waited {} ms for the lock, read {} records in {}"
          + " ms, compared in {} ms, committed {} changes in {} ms", listed.size(), (listedAt - t0) / 1_000_000,
          (lockedAt - listedAt) / 1_000_000, snapshot.records().size(), (loadedAt - lockedAt) / 1_000_000,
          (comparedAt - loadedAt) / 1_000_000, changes.size(), (System.nanoTime() - comparedAt) / 1_000_000);
      return new ResyncResult(started, since(t0), snapshot.records().size(), counts.created, counts.updated,
          counts.deleted, refused, claims, conflicts, bad, null);
    } catch (EtcdException e) {
      observer.etcdError("resync", e);
      return ResyncResult.failed(started, since(t0), Cause.REGISTRY, e.kind(), "etcd: " + e.getMessage());
    } finally {
      locks.resync.writeLock().unlock();
    }
  }

  ResyncResult refreshApp(String appId) {
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    Instant mark = watermark.get();
    Optional<AppListing> app;
    try {
      app = view.app(appId);
    } catch (Failure e) {
      return ResyncResult.failed(started, since(t0), Cause.CLUSTER, e.kind(), view.name() + ": " + e.getMessage());
    }
    String service = app.map(AppListing::service).orElse(null);
    Set<String> services = new HashSet<>();
    if (service != null) services.add(service);
    for (Stored s : state.all()) if (s.record() != null && appId.equals(s.record().appId())) services.add(s.service());
    if (services.isEmpty()) return new ResyncResult(started, since(t0), 0, 0, 0, 0, List.of(), 0, 0, List.of(), null);
    try {
      return locks.applying(services, () -> {
        Pending pending = new Pending(environment, state);
        Counts counts = new Counts();
        int existing = 0;
        // The app as the backend answers it now is the truth for its records, whatever fraction that deletes.
        for (String s : services) {
          List<String> keys = state.service(s).stream()
              .filter(x -> x.record() != null && appId.equals(x.record().appId())).map(Stored::key).toList();
          existing += keys.size();
          diff(s, s.equals(service) ? app.get().tasks() : List.of(), keys, mark, pending, counts);
        }
        int conflicts = committer.commit(pending.changes());
        return new ResyncResult(started, since(t0), existing, counts.created, counts.updated, counts.deleted,
            List.of(), 0, conflicts, List.of(), null);
      });
    } catch (EtcdException e) {
      return ResyncResult.failed(started, since(t0), Cause.REGISTRY, e.kind(), "etcd: " + e.getMessage());
    }
  }

  /** Apps the registry holds records of that the listing lacks. */
  private Set<String> unlisted(Map<String, AppListing> listed) {
    Set<String> apps = new LinkedHashSet<>();
    for (Stored s : state.all()) {
      if (s.record() != null && s.record().appId() != null && !listed.containsKey(s.record().appId())) {
        apps.add(s.record().appId());
      }
    }
    return apps;
  }

  /**
   * Asks the backend for each app not confirmed yet: gone (404) or no longer this environment's means its records go;
   * anything else keeps them. After the first failure to ask, the rest are kept unasked.
   */
  private Map<String, Confirmation> confirm(Set<String> appIds, Map<String, Confirmation> known) {
    Map<String, Confirmation> out = new HashMap<>(known);
    String failure = null;
    for (String appId : appIds) {
      if (out.containsKey(appId)) continue;
      if (failure != null) {
        out.put(appId, new Confirmation(false, "could not be confirmed gone (not asked: " + failure + ")"));
        continue;
      }
      try {
        Optional<AppListing> app = view.app(appId);
        if (app.isEmpty()) {
          out.put(appId, new Confirmation(true, "gone"));
        } else if (app.get().service() == null) {
          out.put(appId, new Confirmation(true, "no longer one of this environment's services"));
        } else {
          out.put(appId, new Confirmation(false, view.name() + " has it when asked for it alone, but left it out of"
              + " the full listing"));
        }
      } catch (Failure e) {
        failure = e.getMessage();
        out.put(appId, new Confirmation(false, "could not be confirmed gone: " + e.getMessage()));
      }
    }
    return out;
  }

  private static String reason(Confirmation c) {
    return (c == null ? "not confirmed gone yet" : c.reason()) + "; kept, retrying";
  }

  /** Logs the ordinals records share, once each time that set changes. */
  private void reportDuplicates(Map<String, Map<Integer, List<String>>> now) {
    if (!now.equals(reportedDuplicates) && !now.isEmpty()) {
      RegistryWriter.log.warn("found: ordinals held by two or more records (written before ordinals were claimed):"
          + " {}; each stays until its tasks end", now);
    }
    reportedDuplicates = now;
  }

  private static final class Counts {
    int created;
    int updated;
    int deleted;
    int badTasks;
    String badTask;

    /** The load's bad data and the listed tasks whose ids cannot be keys, by kind. */
    List<BadData> bad(List<BadData> loaded, String backend) {
      if (badTasks == 0) return loaded;
      List<BadData> all = new ArrayList<>();
      BadData key = new BadData(BadData.Kind.KEY, badTasks, badTask,
          "a task id " + backend + " listed is not a valid key segment: not registered");
      for (BadData b : loaded) {
        if (b.kind() == BadData.Kind.KEY) key = new BadData(b.kind(), b.count() + badTasks, b.example(), b.reason());
        else all.add(b);
      }
      all.add(key);
      return all;
    }
  }

  /** Adds to {@code pending} what turns the service's records among {@code keys} into {@code desired}. */
  private void diff(String service, List<TaskObservation.Task> desired, List<String> keys, Instant mark,
      Pending pending, Counts counts) {
    Map<String, TaskObservation.Task> wanted = new LinkedHashMap<>();
    for (TaskObservation.Task t : desired) {
      if (t.taskId() == null || tombstones.contains(t.taskId())) continue;
      if (TaskObservation.TERMINAL_STATES.contains(t.state())) continue;
      if (!RegistryKeys.isSegment(t.taskId())) {
        if (counts.badTask == null) counts.badTask = t.taskId();
        counts.badTasks++;
        continue;
      }
      wanted.put(RegistryKeys.instance(environment, service, t.taskId()), t);
    }
    Map<String, Integer> freedByInstance = new HashMap<>();
    for (String key : keys) {
      if (wanted.containsKey(key)) continue;
      InstanceRecord old = pending.current(service, key);
      if (old != null && touchedSince(old, mark)) continue;
      if (old != null) freedByInstance.put(old.instanceId(), old.ordinal());
      pending.delete(service, key);
      counts.deleted++;
    }
    List<Map.Entry<String, TaskObservation.Task>> fresh = new ArrayList<>();
    for (Map.Entry<String, TaskObservation.Task> e : wanted.entrySet()) {
      InstanceRecord current = pending.current(service, e.getKey());
      if (current == null) {
        fresh.add(e);
        continue;
      }
      if (touchedSince(current, mark)) continue;
      InstanceRecord next = Records.of(e.getValue(), current, current.ordinal(), timestamp(e.getValue(), current, mark));
      if (!Records.same(current, next)) {
        pending.put(e.getKey(), next);
        counts.updated++;
      }
    }
    fresh.sort(Comparator.comparing((Map.Entry<String, TaskObservation.Task> e) -> String.valueOf(e.getValue().stagedAt()))
        .thenComparing(Map.Entry::getKey));
    // Relaunched instances (same instance id, new task id) take their old ordinal first; the rest get the lowest free
    // ones, which include those of tasks that ended.
    Map<String, Integer> ordinals = new HashMap<>();
    for (Map.Entry<String, TaskObservation.Task> e : fresh) {
      Integer previous = freedByInstance.remove(e.getValue().instanceId());
      if (previous != null) {
        ordinals.put(e.getKey(), previous);
        pending.claim(service, previous);
      }
    }
    for (Map.Entry<String, TaskObservation.Task> e : fresh) {
      Integer ordinal = ordinals.get(e.getKey());
      if (ordinal == null) ordinal = pending.allocate(service, e.getValue().instanceId());
      pending.put(e.getKey(), Records.of(e.getValue(), null, ordinal, timestamp(e.getValue(), null, mark)));
      counts.created++;
    }
  }

  /** An observation applied after the listing was taken knows better than the listing. */
  private static boolean touchedSince(InstanceRecord r, Instant mark) {
    return mark != null && Records.parse(r.eventTimestamp()).isAfter(mark);
  }

  /** A listed record is dated by the watermark, never earlier than an observation that already dated it. */
  private static String timestamp(TaskObservation.Task t, InstanceRecord current, Instant mark) {
    if (current != null && current.eventTimestamp() != null
        && (mark == null || !Records.parse(current.eventTimestamp()).isBefore(mark))) {
      return current.eventTimestamp();
    }
    if (mark != null) return Records.format(mark);
    return t.stagedAt() != null ? t.stagedAt() : Records.format(Instant.EPOCH);
  }

  private static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }
}
