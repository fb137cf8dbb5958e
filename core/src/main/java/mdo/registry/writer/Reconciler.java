package mdo.registry.writer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
import mdo.registry.store.Change;
import mdo.registry.store.EtcdException;
import mdo.registry.store.RegistryStore;
import mdo.registry.store.Snapshot;
import mdo.registry.store.Stored;
import mdo.registry.writer.ResyncResult.Cause;

/**
 * Resync: list the backend (the truth), compare with the registry, write only the difference. The backend is read
 * first and without locks; then, with observations held back, the registry is read and the changes are committed by
 * compare-and-swap, so an observation applied meanwhile makes its key's write fail instead of being overwritten.
 * Records an observation touched after the listing started ({@code eventTimestamp} past the watermark) and tasks known
 * to have ended are left alone.
 */
final class Reconciler {
  private final String environment;
  private final ClusterView view;
  private final RegistryStore store;
  private final RegistryState state;
  private final Tombstones tombstones;
  private final Locks locks;
  private final Committer committer;
  private final double maxDeleteFraction;
  private final RegistryWriter.Observer observer;
  private final Supplier<Instant> watermark;

  Reconciler(String environment, ClusterView view, RegistryStore store, RegistryState state, Tombstones tombstones,
      Locks locks, Committer committer, double maxDeleteFraction, RegistryWriter.Observer observer,
      Supplier<Instant> watermark) {
    this.environment = environment;
    this.view = view;
    this.store = store;
    this.state = state;
    this.tombstones = tombstones;
    this.locks = locks;
    this.committer = committer;
    this.maxDeleteFraction = maxDeleteFraction;
    this.observer = observer;
    this.watermark = watermark;
  }

  ResyncResult resync(boolean force) {
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    Instant mark = watermark.get();
    List<AppListing> listing;
    try {
      listing = view.list();
    } catch (Failure e) {
      return ResyncResult.failed(started, since(t0), Cause.CLUSTER, view.name() + ": " + e.getMessage());
    }
    locks.resync.writeLock().lock();
    try {
      Snapshot snapshot = store.load(environment);
      state.replace(snapshot.records(), snapshot.revision());
      int existing = snapshot.records().size();
      Pending pending = new Pending(state);
      Set<String> services = new HashSet<>(state.services());
      Map<String, List<TaskObservation.Task>> desired = new HashMap<>();
      for (AppListing app : listing) {
        if (app.service() == null) continue;
        services.add(app.service());
        desired.computeIfAbsent(app.service(), s -> new ArrayList<>()).addAll(app.tasks());
      }
      Counts counts = new Counts();
      for (String service : services) {
        diff(service, desired.getOrDefault(service, List.of()),
            state.service(service).stream().map(Stored::key).toList(), mark, pending, counts);
      }
      return commit(pending, counts, existing, force, started, t0, "resync");
    } catch (EtcdException e) {
      observer.etcdError("resync", e);
      return ResyncResult.failed(started, since(t0), Cause.REGISTRY, "etcd: " + e.getMessage());
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
      return ResyncResult.failed(started, since(t0), Cause.CLUSTER, view.name() + ": " + e.getMessage());
    }
    String service = app.map(AppListing::service).orElse(null);
    Set<String> services = new HashSet<>();
    if (service != null) services.add(service);
    for (Stored s : state.all()) if (s.record() != null && appId.equals(s.record().appId())) services.add(s.service());
    if (services.isEmpty()) return new ResyncResult(started, since(t0), 0, 0, 0, 0, 0, 0, null);
    try {
      return locks.applying(services, () -> {
        Pending pending = new Pending(state);
        Counts counts = new Counts();
        int existing = 0;
        for (String s : services) {
          List<String> keys = state.service(s).stream()
              .filter(x -> x.record() != null && appId.equals(x.record().appId())).map(Stored::key).toList();
          existing += keys.size();
          diff(s, s.equals(service) ? app.get().tasks() : List.of(), keys, mark, pending, counts);
        }
        // An app the backend says is gone, not ours, or scaled to zero confirms its deletions; anything else is guarded.
        boolean confirmed = app.isEmpty() || service == null || app.get().instances() == 0;
        return commit(pending, counts, existing, confirmed, started, t0, "refresh " + appId);
      });
    } catch (EtcdException e) {
      return ResyncResult.failed(started, since(t0), Cause.REGISTRY, "etcd: " + e.getMessage());
    }
  }

  private static final class Counts {
    int created;
    int updated;
    int deleted;
  }

  /** Adds to {@code pending} what turns the service's records among {@code keys} into {@code desired}. */
  private void diff(String service, List<TaskObservation.Task> desired, List<String> keys, Instant mark,
      Pending pending, Counts counts) {
    Map<String, TaskObservation.Task> wanted = new LinkedHashMap<>();
    for (TaskObservation.Task t : desired) {
      if (t.taskId() == null || tombstones.contains(t.taskId())) continue;
      if (TaskObservation.TERMINAL_STATES.contains(t.state())) continue;
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

  private ResyncResult commit(Pending pending, Counts counts, int existing, boolean force, Instant started, long t0,
      String what) {
    List<Change> changes = pending.changes();
    int allowed = Math.max(1, (int) Math.floor(maxDeleteFraction * existing));
    int refused = 0;
    if (counts.deleted > allowed && !force) {
      refused = counts.deleted;
      changes = changes.stream().filter(c -> !(c instanceof Change.Delete)).toList();
      RegistryWriter.log.error("refused: {} would delete {} of {} records (limit {}); {} may have returned an "
          + "incomplete listing. POST /v1/resync?force=true to override", what, refused, existing, allowed, view.name());
    }
    int conflicts = committer.commit(changes);
    return new ResyncResult(started, since(t0), existing, counts.created, counts.updated,
        refused > 0 ? 0 : counts.deleted, refused, conflicts, null);
  }

  private static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }
}
