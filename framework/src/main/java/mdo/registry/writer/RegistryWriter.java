package mdo.registry.writer;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import mdo.marathon.MarathonClient;
import mdo.marathon.events.MarathonEvent;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes Marathon's view of one environment's mdo apps into etcd, one key per instance
 * ({@link RegistryKeys#instance}). Events are hints applied as they come ({@link #apply}); {@link #refreshApp} and
 * {@link #resync} read the truth from Marathon and write only the difference.
 *
 * <ul>
 *   <li>Writes never regress: an event older than the record's {@code eventTimestamp} is ignored, a task that ended is
 *       never brought back, and every write is a compare-and-swap on the key's mod revision (create-if-absent for new
 *       keys).
 *   <li>Ordinals are 0..n-1 per service: the lowest free one for a new instance, the previous one for a 1.8+ relaunch
 *       of the same instance, and a freed one for a replacement.
 *   <li>Deletes touch only instance keys under this environment's prefix, and a resync that would delete more than
 *       {@code maxDeleteFraction} of the records refuses to (unless forced).
 * </ul>
 *
 * Events of one service are applied under that service's lock; a resync's compare-and-write phase excludes events.
 */
public final class RegistryWriter implements AutoCloseable {
  static final Logger log = LoggerFactory.getLogger(RegistryWriter.class);

  /** Outcome of one event, as counted in metrics. */
  public enum Outcome { WRITTEN, UNCHANGED, STALE, IGNORED, REFRESH, FAILED }

  /** Hooks for metrics; called on writer threads, must be quick. */
  public interface Observer {
    default void eventApplied(String type, Outcome outcome, long receivedNanos) {}

    default void etcdError(String what, RuntimeException e) {}

    default void conflicts(int n) {}
  }

  /** An event with the {@link System#nanoTime()} it arrived at (for the event-to-etcd lag). */
  public record Received(MarathonEvent event, long receivedNanos) {}

  final String environment;
  final MarathonClient marathon;
  final double maxDeleteFraction;
  final Observer observer;
  final RegistryState state = new RegistryState();
  final Tombstones tombstones = new Tombstones(200_000);
  final AppDefinitions definitions;
  final EtcdRegistry etcd;
  final ReentrantReadWriteLock resyncLock = new ReentrantReadWriteLock();
  private final Map<String, ReentrantLock> serviceLocks = new ConcurrentHashMap<>();
  private final AtomicReference<Instant> latestEvent = new AtomicReference<>();
  private final AtomicBoolean etcdFailedSinceResync = new AtomicBoolean();
  private final EventApplier applier = new EventApplier(this);
  private final Reconciler reconciler = new Reconciler(this);

  public RegistryWriter(String environment, Client etcdClient, MarathonClient marathon, double maxDeleteFraction,
      Duration etcdTimeout, Observer observer) {
    RegistryKeys.environment(environment); // validates the name
    this.environment = environment;
    this.marathon = marathon;
    this.maxDeleteFraction = maxDeleteFraction;
    this.observer = observer == null ? new Observer() {} : observer;
    this.definitions = new AppDefinitions(marathon);
    this.etcd = new EtcdRegistry(etcdClient.getKVClient(), etcdTimeout);
  }

  public String environment() {
    return environment;
  }

  /** Records an event's Marathon timestamp as soon as it arrives: the watermark resync stamps its records with. */
  public void observed(MarathonEvent event) {
    latestEvent.accumulateAndGet(event.timestamp(), (a, b) -> a == null || b.isAfter(a) ? b : a);
  }

  Instant watermark() {
    return latestEvent.get();
  }

  /**
   * Applies events of one app, oldest first. Returns true when the app should be refreshed from Marathon (an event
   * carried too little to act on, or a write conflicted).
   */
  public boolean apply(String appId, List<Received> events) {
    return applier.apply(appId, events);
  }

  /** Re-reads one app and its tasks from Marathon and writes the difference. */
  public ResyncResult refreshApp(String appId) {
    return reconciler.refreshApp(appId);
  }

  /** Full resync of the environment; {@code force} lifts the mass-deletion limit. */
  public ResyncResult resync(boolean force) {
    ResyncResult result = reconciler.resync(force);
    if (result.error() == null) etcdFailedSinceResync.set(false);
    return result;
  }

  /** True once an etcd write failed since the last successful resync: the registry may miss changes. */
  public boolean needsResync() {
    return etcdFailedSinceResync.get();
  }

  /** The records as last written or read, sorted by service and ordinal. */
  public List<InstanceRecord> records() {
    List<InstanceRecord> records = new ArrayList<>();
    for (Stored s : state.all()) if (s.record() != null) records.add(s.record());
    records.sort(Comparator.comparing(InstanceRecord::service).thenComparingInt(InstanceRecord::ordinal)
        .thenComparing(InstanceRecord::taskId));
    return records;
  }

  /** How many instance keys the writer knows of (cheap; for gauges). */
  public int recordCount() {
    return state.size();
  }

  /** A cheap read against etcd; false when it does not answer within the timeout. */
  public boolean etcdReachable() {
    try {
      etcd.read(environment, RegistryKeys.environment(environment));
      return true;
    } catch (EtcdRegistry.EtcdException e) {
      return false;
    }
  }

  /** Stops the commit dispatcher; the etcd client belongs to the caller. */
  @Override
  public void close() {
    etcd.close();
  }

  // ---- shared by EventApplier and Reconciler

  /** Runs {@code body} holding the locks of {@code services} (taken in name order, so never deadlocks). */
  <T> T withServices(Collection<String> services, java.util.function.Supplier<T> body) {
    Set<String> sorted = new TreeSet<>(services);
    List<ReentrantLock> held = new ArrayList<>();
    try {
      for (String s : sorted) {
        ReentrantLock lock = serviceLocks.computeIfAbsent(s, x -> new ReentrantLock());
        lock.lock();
        held.add(lock);
      }
      return body.get();
    } finally {
      for (int i = held.size() - 1; i >= 0; i--) held.get(i).unlock();
    }
  }

  /** Commits and folds the results into the state; returns how many changes lost their compare. */
  int commit(List<Change> changes) {
    if (changes.isEmpty()) return 0;
    List<EtcdRegistry.Result> results;
    try {
      results = etcd.commit(changes);
    } catch (EtcdRegistry.EtcdException e) {
      etcdFailedSinceResync.set(true);
      observer.etcdError("commit", e);
      throw e;
    }
    int conflicts = 0;
    for (EtcdRegistry.Result r : results) {
      Change c = r.change();
      if (!r.applied()) {
        conflicts++;
        reload(c);
      } else if (c instanceof Change.Put p) {
        state.put(new Stored(p.key(), p.service(), p.record(), r.revision()));
      } else if (c instanceof Change.Delete d) {
        state.delete(d.service(), d.key(), r.revision());
        if (d.previous() != null) state.released(d.previous());
      }
    }
    if (conflicts > 0) observer.conflicts(conflicts);
    return conflicts;
  }

  private void reload(Change c) {
    try {
      Stored now = etcd.read(environment, c.key());
      if (now == null) {
        Stored old = state.get(c.service(), c.key());
        if (old != null) state.delete(c.service(), c.key(), Long.MAX_VALUE);
      } else {
        state.put(now);
      }
    } catch (EtcdRegistry.EtcdException e) {
      observer.etcdError("read", e);
    }
  }

  boolean stale(Instant eventTime, InstanceRecord current) {
    return current != null && current.eventTimestamp() != null
        && eventTime.isBefore(RecordFactory.parse(current.eventTimestamp()));
  }
}
