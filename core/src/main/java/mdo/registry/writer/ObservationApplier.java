package mdo.registry.writer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import mdo.cluster.TaskObservation;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryKeys;
import mdo.registry.store.BadData;
import mdo.registry.store.EtcdException;
import mdo.registry.writer.RegistryWriter.Outcome;
import mdo.registry.writer.RegistryWriter.Received;

/**
 * Turns a batch of observations into compare-and-swap writes (API.md §1.3 for the task states): terminal states
 * delete; draining marks the record; TASK_UNREACHABLE marks it unhealthy; TASK_LOST marks it unhealthy and asks for a
 * refresh, because the backend decides from the reason whether it is gone. A change to an instance the registry does
 * not hold yet asks for a refresh.
 */
final class ObservationApplier {
  private final String environment;
  private final RegistryState state;
  private final Tombstones tombstones;
  private final Locks locks;
  private final Committer committer;
  private final RegistryWriter.Observer observer;
  private final BadItems badItems;
  private final AtomicBoolean writesFailing = new AtomicBoolean();

  ObservationApplier(String environment, RegistryState state, Tombstones tombstones, Locks locks, Committer committer,
      RegistryWriter.Observer observer, BadItems badItems) {
    this.environment = environment;
    this.state = state;
    this.tombstones = tombstones;
    this.locks = locks;
    this.committer = committer;
    this.observer = observer;
    this.badItems = badItems;
  }

  /**
   * Applies the observations oldest first; true when their apps should be refreshed from the backend. Times further
   * ahead of this host's clock than {@link Records#CLOCK_MARGIN} are clamped to now (and counted).
   */
  boolean apply(List<Received> observations) {
    if (observations.isEmpty()) return false;
    List<Received> sorted = new ArrayList<>(observations.size());
    Instant now = Instant.now();
    int clamped = 0;
    for (Received r : observations) {
      if (Records.ahead(r.observation().time(), now)) {
        sorted.add(new Received(r.observation().at(now), r.type(), r.receivedNanos()));
        clamped++;
      } else {
        sorted.add(r);
      }
    }
    if (clamped > 0) observer.clockAhead(clamped);
    sorted.sort(Comparator.comparing(r -> r.observation().time(), Comparator.nullsFirst(Comparator.naturalOrder())));
    Set<String> services = new LinkedHashSet<>();
    for (Received r : sorted) services.add(r.observation().service());
    return locks.applying(services, () -> applyLocked(sorted));
  }

  private boolean applyLocked(List<Received> items) {
    Pending pending = new Pending(environment, state);
    boolean refresh = false;
    List<Outcome> outcomes = new ArrayList<>(items.size());
    for (Received item : items) {
      Outcome o = item.observation() instanceof TaskObservation.Task t ? task(t, pending)
          : instance((TaskObservation.Instance) item.observation(), pending);
      refresh |= o == Outcome.REFRESH;
      outcomes.add(o);
    }
    boolean failed = false;
    try {
      refresh |= committer.commit(pending.changes()) > 0;
      if (!pending.isEmpty() && writesFailing.compareAndSet(true, false)) {
        RegistryWriter.log.info("recovered: writing observations to etcd");
      }
    } catch (EtcdException e) {
      // one line when writes start failing (an etcd outage fails every batch), then only counted (etcd errors metric)
      if (writesFailing.compareAndSet(false, true)) {
        RegistryWriter.log.warn("failed: writing {} observations to etcd ({}); failed writes are counted from now on,"
            + " the next resync repairs them", items.size(), e.getMessage());
      }
      failed = true;
    }
    for (int i = 0; i < items.size(); i++) {
      Received r = items.get(i);
      observer.eventApplied(r.type(), failed ? Outcome.FAILED : outcomes.get(i), r.receivedNanos());
    }
    return refresh;
  }

  private Outcome task(TaskObservation.Task t, Pending pending) {
    String service = t.service();
    if (!RegistryKeys.isSegment(t.taskId())) {
      badItems.observed(BadData.Kind.KEY, String.valueOf(t.taskId()), "the task id is not a valid key segment");
      return Outcome.MALFORMED;
    }
    String key = RegistryKeys.instance(environment, service, t.taskId());
    InstanceRecord current = pending.current(service, key);
    if (tombstones.contains(t.taskId()) || stale(t.time(), current)) return Outcome.STALE;
    if (TaskObservation.TERMINAL_STATES.contains(t.state())) {
      tombstones.add(t.taskId());
      if (current == null) return Outcome.UNCHANGED;
      pending.delete(service, key);
      return Outcome.WRITTEN;
    }
    boolean lost = "TASK_LOST".equals(t.state());
    boolean back = current != null && !Records.unreachable(t.state()) && Records.unreachable(current.state());
    int ordinal;
    if (current != null) {
      ordinal = current.ordinal();
    } else {
      ordinal = -1;
      // a relaunch (incarnation > 1): the new incarnation takes over the old one's ordinal and key
      List<InstanceRecord> previous = t.incarnation() > 1 ? pending.byInstance(service, t.instanceId()) : List.of();
      for (InstanceRecord p : previous) {
        ordinal = p.ordinal();
        pending.delete(service, RegistryKeys.instance(environment, service, p.taskId()));
      }
      if (ordinal >= 0) pending.claim(service, ordinal);
      else ordinal = pending.allocate(service, t.instanceId());
    }
    InstanceRecord record = Records.of(t, current, ordinal, Records.format(t.time()));
    if (Records.same(current, record)) return lost || back ? Outcome.REFRESH : Outcome.UNCHANGED;
    pending.put(key, record);
    return lost || back ? Outcome.REFRESH : Outcome.WRITTEN;
  }

  private Outcome instance(TaskObservation.Instance change, Pending pending) {
    String service = change.service();
    if (change.ended()) {
      Outcome o = Outcome.UNCHANGED;
      for (InstanceRecord r : pending.byInstance(service, change.instanceId())) {
        if (stale(change.time(), r)) continue;
        tombstones.add(r.taskId());
        pending.delete(service, RegistryKeys.instance(environment, service, r.taskId()));
        o = Outcome.WRITTEN;
      }
      return o;
    }
    String at = Records.format(change.time());
    return patch(service, change.instanceId(), change.time(), pending, r -> Records.with(r,
        change.healthy() != null ? change.healthy() : r.healthy(),
        change.draining() != null ? change.draining() : r.draining(), at));
  }

  private Outcome patch(String service, String instanceId, Instant at, Pending pending,
      UnaryOperator<InstanceRecord> change) {
    List<InstanceRecord> records = pending.byInstance(service, instanceId);
    if (records.isEmpty()) return Outcome.REFRESH; // not registered yet: read it from the backend
    Outcome o = Outcome.UNCHANGED;
    for (InstanceRecord r : records) {
      if (stale(at, r)) {
        if (o == Outcome.UNCHANGED) o = Outcome.STALE;
        continue;
      }
      InstanceRecord next = change.apply(r);
      if (Records.same(r, next)) continue;
      pending.put(RegistryKeys.instance(environment, service, r.taskId()), next);
      o = Outcome.WRITTEN;
    }
    return o;
  }

  /** An observation older than what the record was derived from must not regress it. */
  static boolean stale(Instant observed, InstanceRecord current) {
    return current != null && current.eventTimestamp() != null && observed != null
        && observed.isBefore(Records.parse(current.eventTimestamp()));
  }
}
