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
import mdo.deploy.Labels;
import mdo.marathon.MarathonApp;
import mdo.marathon.MarathonException;
import mdo.marathon.MarathonTask;
import mdo.marathon.MarathonUnavailableException;
import mdo.marathon.events.TaskIds;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryKeys;

/**
 * Resync: read apps and tasks from Marathon (the truth), compare with etcd, write only the difference. Marathon is read
 * first and without locks; then, with events held back, etcd is read and the changes are committed by compare-and-swap,
 * so an event applied meanwhile makes its key's write fail instead of being overwritten. Records an event touched after
 * the listing started ({@code eventTimestamp} past the watermark) and tasks known to have ended are left alone.
 */
final class Reconciler {
  private final RegistryWriter w;

  Reconciler(RegistryWriter writer) {
    this.w = writer;
  }

  private record Listing(Map<String, MarathonApp> apps, Map<String, List<MarathonTask>> tasks) {}

  ResyncResult resync(boolean force) {
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    Instant watermark = w.watermark();
    Listing listing;
    try {
      listing = list();
    } catch (MarathonUnavailableException | MarathonException e) {
      return ResyncResult.failed(started, since(t0), "Marathon: " + e.getMessage());
    }
    w.resyncLock.writeLock().lock();
    try {
      EtcdRegistry.Snapshot snapshot = w.etcd.load(w.environment);
      w.state.replace(snapshot.records(), snapshot.revision());
      int existing = snapshot.records().size();
      Pending pending = new Pending(w.state);
      Set<String> services = new HashSet<>(w.state.services());
      Map<String, List<MarathonApp>> appsByService = new HashMap<>();
      for (MarathonApp app : listing.apps().values()) {
        appsByService.computeIfAbsent(MdoApps.service(app, w.environment), s -> new ArrayList<>()).add(app);
      }
      services.addAll(appsByService.keySet());
      Counts counts = new Counts();
      for (String service : services) {
        List<Desired> desired = new ArrayList<>();
        for (MarathonApp app : appsByService.getOrDefault(service, List.of())) {
          for (MarathonTask t : listing.tasks().getOrDefault(app.id(), List.of())) desired.add(new Desired(app, t));
        }
        diff(service, desired, w.state.service(service).stream().map(Stored::key).toList(), watermark, pending, counts);
      }
      return commit(pending, counts, existing, force, started, t0, "resync");
    } catch (EtcdRegistry.EtcdException e) {
      w.observer.etcdError("resync", e);
      return ResyncResult.failed(started, since(t0), "etcd: " + e.getMessage());
    } finally {
      w.resyncLock.writeLock().unlock();
    }
  }

  ResyncResult refreshApp(String appId) {
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    Instant watermark = w.watermark();
    Optional<MarathonApp> app;
    List<MarathonTask> tasks;
    try {
      app = w.definitions.current(appId);
      tasks = app.isPresent() ? appTasks(appId) : List.of();
    } catch (MarathonUnavailableException | MarathonException e) {
      return ResyncResult.failed(started, since(t0), "Marathon: " + e.getMessage());
    }
    String service = app.map(a -> MdoApps.service(a, w.environment)).orElse(null);
    Set<String> services = new HashSet<>();
    if (service != null) services.add(service);
    for (Stored s : w.state.all()) if (s.record() != null && appId.equals(s.record().appId())) services.add(s.service());
    if (services.isEmpty()) return new ResyncResult(started, since(t0), 0, 0, 0, 0, 0, 0, null);
    w.resyncLock.readLock().lock();
    try {
      return w.withServices(services, () -> {
        Pending pending = new Pending(w.state);
        Counts counts = new Counts();
        int existing = 0;
        for (String s : services) {
          List<String> keys = w.state.service(s).stream()
              .filter(x -> x.record() != null && appId.equals(x.record().appId())).map(Stored::key).toList();
          existing += keys.size();
          List<Desired> desired = new ArrayList<>();
          if (s.equals(service)) for (MarathonTask t : tasks) desired.add(new Desired(app.get(), t));
          diff(s, desired, keys, watermark, pending, counts);
        }
        // An app Marathon says is gone (404) or scaled to zero confirms its deletions; anything else is guarded.
        boolean confirmed = app.isEmpty() || service == null || app.get().instances() == 0;
        return commit(pending, counts, existing, confirmed, started, t0, "refresh " + appId);
      });
    } catch (EtcdRegistry.EtcdException e) {
      return ResyncResult.failed(started, since(t0), "etcd: " + e.getMessage());
    } finally {
      w.resyncLock.readLock().unlock();
    }
  }

  private record Desired(MarathonApp app, MarathonTask task) {}

  private static final class Counts {
    int created;
    int updated;
    int deleted;
  }

  /** Adds to {@code pending} what turns the service's records among {@code keys} into {@code desired}. */
  private void diff(String service, List<Desired> desired, List<String> keys, Instant watermark, Pending pending,
      Counts counts) {
    Map<String, Desired> wanted = new LinkedHashMap<>();
    for (Desired d : desired) {
      if (d.task().id() == null || w.tombstones.contains(d.task().id())) continue;
      if (EventApplier.TERMINAL.contains(d.task().state())) continue;
      wanted.put(RegistryKeys.instance(w.environment, service, d.task().id()), d);
    }
    Map<String, Integer> freedByInstance = new HashMap<>();
    for (String key : keys) {
      if (wanted.containsKey(key)) continue;
      InstanceRecord old = pending.current(service, key);
      if (old != null && watermark != null && RecordFactory.parse(old.eventTimestamp()).isAfter(watermark)) continue;
      if (old != null) freedByInstance.put(old.instanceId(), old.ordinal());
      pending.delete(service, key);
      counts.deleted++;
    }
    List<Map.Entry<String, Desired>> fresh = new ArrayList<>();
    for (Map.Entry<String, Desired> e : wanted.entrySet()) {
      InstanceRecord current = pending.current(service, e.getKey());
      if (current == null) {
        fresh.add(e);
        continue;
      }
      if (watermark != null && RecordFactory.parse(current.eventTimestamp()).isAfter(watermark)) continue;
      InstanceRecord next = record(e.getValue(), service, current, current.ordinal(), watermark);
      if (!RecordFactory.same(current, next)) {
        pending.put(e.getKey(), next);
        counts.updated++;
      }
    }
    fresh.sort(Comparator.comparing((Map.Entry<String, Desired> e) -> String.valueOf(e.getValue().task().stagedAt()))
        .thenComparing(Map.Entry::getKey));
    // Relaunched instances (1.8+: same instance id, new task id) take their old ordinal first; the rest get the lowest
    // free ones, which include those of tasks that ended.
    Map<String, Integer> ordinals = new HashMap<>();
    for (Map.Entry<String, Desired> e : fresh) {
      Integer previous = freedByInstance.remove(TaskIds.instanceId(e.getValue().task().id()));
      if (previous != null) {
        ordinals.put(e.getKey(), previous);
        pending.claim(service, previous);
      }
    }
    for (Map.Entry<String, Desired> e : fresh) {
      Integer ordinal = ordinals.get(e.getKey());
      if (ordinal == null) ordinal = pending.allocate(service, TaskIds.instanceId(e.getValue().task().id()));
      pending.put(e.getKey(), record(e.getValue(), service, null, ordinal, watermark));
      counts.created++;
    }
  }

  private InstanceRecord record(Desired d, String service, InstanceRecord current, int ordinal, Instant watermark) {
    MarathonTask t = d.task();
    MarathonApp app = versionOf(d.app(), t.version());
    List<String> ips = t.ipAddresses().stream().map(MarathonTask.IpAddress::ipAddress).toList();
    String host = RecordFactory.host(app, t.host(), ips);
    boolean onTaskIp = !ips.isEmpty() && host.equals(ips.get(0));
    String state = t.state() == null ? "TASK_RUNNING" : t.state();
    Boolean healthy = !app.hasHealthChecks() ? null
        : t.healthCheckResults().isEmpty() ? Boolean.FALSE : t.healthy();
    if ("TASK_UNREACHABLE".equals(state) || "TASK_LOST".equals(state)) healthy = Boolean.FALSE;
    String timestamp = current != null && current.eventTimestamp() != null
        && (watermark == null || !RecordFactory.parse(current.eventTimestamp()).isBefore(watermark))
        ? current.eventTimestamp()
        : watermark != null ? RecordFactory.format(watermark)
        : t.stagedAt() != null ? t.stagedAt() : RecordFactory.format(Instant.EPOCH);
    return new InstanceRecord(service, t.id(), TaskIds.instanceId(t.id()), ordinal, host,
        RecordFactory.ports(app, t.ports(), onTaskIp), app.labels(), state, healthy,
        (current != null && current.draining()) || "TASK_KILLING".equals(state), d.app().id(),
        t.version() != null ? t.version() : app.version(), t.slaveId(), t.startedAt(), timestamp);
  }

  /** The definition of the version the task runs (ports are named from it); the current one if Marathon lost it. */
  private MarathonApp versionOf(MarathonApp current, String version) {
    if (version == null || version.equals(current.version())) return current;
    try {
      return w.definitions.get(current.id(), version).orElse(current);
    } catch (MarathonUnavailableException | MarathonException e) {
      return current;
    }
  }

  private ResyncResult commit(Pending pending, Counts counts, int existing, boolean force, Instant started, long t0,
      String what) {
    List<Change> changes = pending.changes();
    int allowed = Math.max(1, (int) Math.floor(w.maxDeleteFraction * existing));
    int refused = 0;
    if (counts.deleted > allowed && !force) {
      refused = counts.deleted;
      changes = changes.stream().filter(c -> !(c instanceof Change.Delete)).toList();
      RegistryWriter.log.error("refused: {} would delete {} of {} records (limit {}); Marathon may have returned an "
          + "incomplete listing. POST /v1/resync?force=true to override", what, refused, existing, allowed);
    }
    int conflicts = w.commit(changes);
    return new ResyncResult(started, since(t0), existing, counts.created, counts.updated,
        refused > 0 ? 0 : counts.deleted, refused, conflicts, null);
  }

  private Listing list() {
    Map<String, MarathonApp> apps = new LinkedHashMap<>();
    for (MarathonApp app : w.marathon.listApps(Labels.selector(w.environment))) {
      if (MdoApps.service(app, w.environment) == null) continue;
      w.definitions.listed(app);
      apps.put(app.id(), app);
    }
    Map<String, List<MarathonTask>> tasks = new HashMap<>();
    if (!apps.isEmpty()) {
      for (MarathonTask t : w.marathon.listTasks()) {
        if (apps.containsKey(t.appId())) tasks.computeIfAbsent(t.appId(), a -> new ArrayList<>()).add(t);
      }
    }
    return new Listing(apps, tasks);
  }

  private List<MarathonTask> appTasks(String appId) {
    try {
      return w.marathon.appTasks(appId);
    } catch (MarathonException e) {
      if (e.isNotFound()) return List.of();
      throw e;
    }
  }

  private static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }
}
