package mdo.registry.writer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import mdo.marathon.MarathonApp;
import mdo.marathon.MarathonException;
import mdo.marathon.MarathonUnavailableException;
import mdo.marathon.events.MarathonEvent;
import mdo.marathon.events.MarathonEvent.InstanceCondition;
import mdo.marathon.events.MarathonEvent.InstanceHealth;
import mdo.marathon.events.MarathonEvent.TaskStatus;
import mdo.marathon.events.MarathonEvent.UnhealthyKill;
import mdo.marathon.events.TaskIds;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryKeys;
import mdo.registry.writer.RegistryWriter.Outcome;
import mdo.registry.writer.RegistryWriter.Received;

/**
 * Turns a batch of one app's events into compare-and-swap writes (API.md §1.3 for the task states):
 * terminal states delete; TASK_KILLING and unhealthy kills mark the record draining; TASK_UNREACHABLE marks it
 * unhealthy; TASK_LOST marks it unhealthy and asks for a refresh, because Marathon decides from the reason whether it
 * is gone. Events that carry too little (deployments, app changes, health of an unknown instance) ask for a refresh.
 */
final class EventApplier {
  static final Set<String> TERMINAL = Set.of("TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR",
      "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR", "TASK_UNKNOWN");
  static final Set<String> TERMINAL_CONDITIONS = Set.of("Error", "Failed", "Finished", "Killed", "Gone", "Dropped",
      "Unknown");

  private final RegistryWriter w;

  EventApplier(RegistryWriter writer) {
    this.w = writer;
  }

  private record Item(Received received, MarathonApp app, String service) {}

  boolean apply(String appId, List<Received> events) {
    List<Received> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparing(r -> r.event().timestamp()));
    boolean refresh = false;
    List<Item> items = new ArrayList<>();
    Set<String> services = new LinkedHashSet<>();
    for (Received r : sorted) {
      MarathonEvent e = r.event();
      if (e instanceof MarathonEvent.AppsChanged) {
        refresh = true;
        w.observer.eventApplied(e.type(), Outcome.REFRESH, r.receivedNanos());
        continue;
      }
      if (!(e instanceof TaskStatus || e instanceof InstanceCondition || e instanceof InstanceHealth
          || e instanceof UnhealthyKill)) {
        w.observer.eventApplied(e.type(), Outcome.IGNORED, r.receivedNanos());
        continue;
      }
      Optional<MarathonApp> app;
      try {
        app = w.definitions.get(appId, version(e));
      } catch (MarathonUnavailableException | MarathonException ex) {
        RegistryWriter.log.warn("skipped: {} for {}: app definition unavailable ({})", e.type(), appId, ex.getMessage());
        w.observer.eventApplied(e.type(), Outcome.FAILED, r.receivedNanos());
        refresh = true;
        continue;
      }
      if (app.isEmpty()) { // the app is gone: only a refresh can confirm and clean up
        refresh = true;
        w.observer.eventApplied(e.type(), Outcome.REFRESH, r.receivedNanos());
        continue;
      }
      String service = MdoApps.service(app.get(), w.environment);
      if (service == null) {
        w.observer.eventApplied(e.type(), Outcome.IGNORED, r.receivedNanos());
        continue;
      }
      items.add(new Item(r, app.get(), service));
      services.add(service);
    }
    if (items.isEmpty()) return refresh;
    w.resyncLock.readLock().lock();
    try {
      return w.withServices(services, () -> applyLocked(items)) || refresh;
    } finally {
      w.resyncLock.readLock().unlock();
    }
  }

  private boolean applyLocked(List<Item> items) {
    Pending pending = new Pending(w.state);
    boolean refresh = false;
    List<Outcome> outcomes = new ArrayList<>();
    for (Item item : items) {
      MarathonEvent event = item.received().event();
      Outcome o;
      if (event instanceof TaskStatus e) {
        o = status(e, item.app(), item.service(), pending);
      } else if (event instanceof InstanceCondition e) {
        o = condition(e, item.service(), pending);
      } else if (event instanceof InstanceHealth e) {
        o = health(e, item.app(), item.service(), pending);
      } else if (event instanceof UnhealthyKill e) {
        o = patch(item.service(), e.instanceId(), e.timestamp(), pending, r ->
            RecordFactory.with(r, r.state(), false, true, RecordFactory.format(e.timestamp())));
      } else {
        o = Outcome.IGNORED;
      }
      refresh |= o == Outcome.REFRESH;
      outcomes.add(o);
    }
    boolean failed = false;
    try {
      refresh |= w.commit(pending.changes()) > 0;
    } catch (EtcdRegistry.EtcdException e) {
      RegistryWriter.log.warn("failed: writing {} events to etcd ({}); the next resync repairs it", items.size(),
          e.getMessage());
      failed = true;
    }
    for (int i = 0; i < items.size(); i++) {
      Received r = items.get(i).received();
      w.observer.eventApplied(r.event().type(), failed ? Outcome.FAILED : outcomes.get(i), r.receivedNanos());
    }
    return refresh;
  }

  private Outcome status(TaskStatus e, MarathonApp app, String service, Pending pending) {
    String key = RegistryKeys.instance(w.environment, service, e.taskId());
    InstanceRecord current = pending.current(service, key);
    if (w.tombstones.contains(e.taskId()) || w.stale(e.timestamp(), current)) return Outcome.STALE;
    String status = e.taskStatus();
    if (TERMINAL.contains(status)) {
      w.tombstones.add(e.taskId());
      if (current == null) return Outcome.UNCHANGED;
      pending.delete(service, key);
      return Outcome.WRITTEN;
    }
    boolean lost = "TASK_LOST".equals(status);
    boolean unreachable = lost || "TASK_UNREACHABLE".equals(status);
    boolean back = current != null && !unreachable
        && ("TASK_UNREACHABLE".equals(current.state()) || "TASK_LOST".equals(current.state()));
    Boolean healthy = unreachable ? Boolean.FALSE
        : current != null ? current.healthy()
        : app.hasHealthChecks() ? Boolean.FALSE : null;
    int ordinal;
    if (current != null) {
      ordinal = current.ordinal();
    } else {
      ordinal = -1;
      // 1.8+ relaunch (incarnation > 1): the new incarnation takes over the old one's ordinal and key
      List<InstanceRecord> previous = TaskIds.incarnation(e.taskId()) > 1
          ? pending.byInstance(service, e.instanceId()) : List.of();
      for (InstanceRecord p : previous) {
        ordinal = p.ordinal();
        pending.delete(service, RegistryKeys.instance(w.environment, service, p.taskId()));
      }
      if (ordinal >= 0) pending.claim(service, ordinal);
      else ordinal = pending.allocate(service, e.instanceId());
    }
    String host = RecordFactory.host(app, e.host(), e.ipAddresses());
    boolean onTaskIp = !e.ipAddresses().isEmpty() && host.equals(e.ipAddresses().get(0));
    String startedAt = current != null && current.startedAt() != null ? current.startedAt()
        : "TASK_RUNNING".equals(status) ? RecordFactory.format(e.timestamp()) : null;
    InstanceRecord record = new InstanceRecord(service, e.taskId(), e.instanceId(), ordinal, host,
        RecordFactory.ports(app, e.ports(), onTaskIp), app.labels(), status, healthy,
        (current != null && current.draining()) || "TASK_KILLING".equals(status), e.appId(),
        e.appVersion() != null ? e.appVersion() : app.version(), blankToNull(e.agentId()), startedAt,
        RecordFactory.format(e.timestamp()));
    if (RecordFactory.same(current, record)) return lost || back ? Outcome.REFRESH : Outcome.UNCHANGED;
    pending.put(key, record);
    return lost || back ? Outcome.REFRESH : Outcome.WRITTEN;
  }

  private Outcome condition(InstanceCondition e, String service, Pending pending) {
    boolean ended = "unknown_instance_terminated_event".equals(e.type())
        || TERMINAL_CONDITIONS.contains(e.condition().trim());
    if (ended) {
      List<InstanceRecord> records = pending.byInstance(service, e.instanceId());
      Outcome o = Outcome.UNCHANGED;
      for (InstanceRecord r : records) {
        if (w.stale(e.timestamp(), r)) continue;
        w.tombstones.add(r.taskId());
        pending.delete(service, RegistryKeys.instance(w.environment, service, r.taskId()));
        o = Outcome.WRITTEN;
      }
      return o;
    }
    return switch (e.condition().trim()) {
      case "Killing" -> patch(service, e.instanceId(), e.timestamp(), pending, r ->
          RecordFactory.with(r, r.state(), r.healthy(), true, RecordFactory.format(e.timestamp())));
      case "Unreachable", "UnreachableInactive" -> patch(service, e.instanceId(), e.timestamp(), pending, r ->
          RecordFactory.with(r, r.state(), false, r.draining(), RecordFactory.format(e.timestamp())));
      default -> Outcome.IGNORED; // Running, Staging...: the status_update_event just before it carried the data
    };
  }

  private Outcome health(InstanceHealth e, MarathonApp app, String service, Pending pending) {
    Boolean healthy = e.healthy();
    if (healthy == null) return Outcome.IGNORED;
    boolean oneCheck = "instance_health_changed_event".equals(e.type())
        || app.json().path("healthChecks").size() <= 1;
    if (healthy && !oneCheck) return Outcome.REFRESH; // one check alive says nothing about the others
    return patch(service, e.instanceId(), e.timestamp(), pending, r ->
        RecordFactory.with(r, r.state(), healthy, r.draining(), RecordFactory.format(e.timestamp())));
  }

  private Outcome patch(String service, String instanceId, java.time.Instant at, Pending pending,
      java.util.function.UnaryOperator<InstanceRecord> change) {
    List<InstanceRecord> records = pending.byInstance(service, instanceId);
    if (records.isEmpty()) return Outcome.REFRESH; // not registered yet: read it from Marathon
    Outcome o = Outcome.UNCHANGED;
    for (InstanceRecord r : records) {
      if (w.stale(at, r)) {
        if (o == Outcome.UNCHANGED) o = Outcome.STALE;
        continue;
      }
      InstanceRecord next = change.apply(r);
      if (RecordFactory.same(r, next)) continue;
      pending.put(RegistryKeys.instance(w.environment, service, r.taskId()), next);
      o = Outcome.WRITTEN;
    }
    return o;
  }

  private static String version(MarathonEvent e) {
    if (e instanceof TaskStatus t) return t.appVersion();
    if (e instanceof InstanceCondition c) return c.appVersion();
    if (e instanceof InstanceHealth h) return h.appVersion();
    return null;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
