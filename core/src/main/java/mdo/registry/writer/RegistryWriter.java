package mdo.registry.writer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import mdo.cluster.ClusterView;
import mdo.cluster.TaskObservation;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryKeys;
import mdo.registry.store.BadData;
import mdo.registry.store.GroupCommit;
import mdo.registry.store.RegistryStore;
import mdo.registry.store.Snapshot;
import mdo.registry.store.Stored;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a cluster backend's view of one environment's mdo services into the registry, one key per instance
 * ({@link RegistryKeys#instance}). Observations are hints applied as they come ({@link #apply}); {@link #refreshApp}
 * and {@link #resync} read the truth from the {@link ClusterView} and write only the difference.
 *
 * <ul>
 *   <li>Writes never regress: an observation older than the record's {@code eventTimestamp} is ignored, a task that
 *       ended is never brought back, and every write is a compare-and-swap on the key's mod revision (create-if-absent
 *       for new keys).
 *   <li>Ordinals are 0..n-1 per service: the lowest free one for a new instance, the previous one for a relaunch of the
 *       same instance, and a freed one for a replacement. Each is claimed in etcd in the record's own transaction
 *       ({@code /mdo/<env>/ordinals/<service>/<n>}), so two writers can never hand out the same one; resync repairs
 *       claims that do not match the records.
 *   <li>Deletes touch only instance keys (and their claims) under this environment's prefix. A listed app's records
 *       are reconciled against its listed tasks; records of an app missing from the listing go only once the backend
 *       confirms the app is gone (unless forced).
 *   <li>Bad data (keys that are not valid instance keys, unreadable records, ordinals out of range) is skipped and
 *       counted, never fatal; event times a skewed backend clock put in the future are clamped to now.
 * </ul>
 *
 * Observations of one service are applied under that service's lock; a resync's compare-and-write phase excludes them.
 */
public final class RegistryWriter implements AutoCloseable {
  static final Logger log = LoggerFactory.getLogger(RegistryWriter.class);

  /** Outcome of one observation, as counted in metrics. */
  public enum Outcome { WRITTEN, UNCHANGED, STALE, IGNORED, REFRESH, FAILED, MALFORMED }

  /** Hooks for metrics; called on writer threads, must be quick. */
  public interface Observer {
    default void eventApplied(String type, Outcome outcome, long receivedNanos) {}

    default void etcdError(String what, RuntimeException e) {}

    default void conflicts(int n) {}

    /** How many items of a kind of bad data the last resync met (0 once none is left). */
    default void badData(BadData.Kind kind, int count) {}

    /** Observation times ahead of this host's clock by more than the margin, clamped to now. */
    default void clockAhead(int clamped) {}
  }

  /**
   * An observation with what it came from, for metrics: the backend's event type and the {@link System#nanoTime()} it
   * arrived at (for the event-to-registry lag).
   */
  public record Received(TaskObservation observation, String type, long receivedNanos) {}

  private final String environment;
  private final RegistryStore store;
  private final RegistryState state = new RegistryState();
  private final GroupCommit commits;
  private final Committer committer;
  private final AtomicReference<Instant> latestObservation = new AtomicReference<>();
  private final Locks locks = new Locks();
  private final ObservationApplier applier;
  private final Reconciler reconciler;

  /**
   * @param store the registry; it belongs to the caller
   * @param timeout the store's per-request timeout
   */
  public RegistryWriter(String environment, RegistryStore store, ClusterView view, Duration timeout,
      Observer observer) {
    RegistryKeys.environment(environment); // validates the name
    Observer o = observer == null ? new Observer() {} : observer;
    this.environment = environment;
    this.store = store;
    this.commits = new GroupCommit(store, timeout);
    this.committer = new Committer(environment, store, commits, state, o);
    Tombstones tombstones = new Tombstones(200_000);
    BadItems badItems = new BadItems(o);
    this.applier = new ObservationApplier(environment, state, tombstones, locks, committer, o, badItems);
    this.reconciler = new Reconciler(environment, view, store, state, tombstones, locks, committer, o, badItems,
        latestObservation::get);
  }

  public String environment() {
    return environment;
  }

  /**
   * Records a backend event's time as soon as it arrives: the watermark resync dates its records with, so a record an
   * event touched after a listing started is not overwritten by that older listing.
   */
  public void observed(Instant time) {
    if (time == null) return;
    Instant now = Instant.now();
    Instant t = Records.ahead(time, now) ? now : time; // a skewed backend clock must not date resyncs in the future
    latestObservation.accumulateAndGet(t, (a, b) -> a == null || b.isAfter(a) ? b : a);
  }

  /** Applies observations, oldest first. Returns true when their apps should be refreshed from the backend. */
  public boolean apply(List<Received> observations) {
    return applier.apply(observations);
  }

  /** Re-reads one app and its tasks from the backend and writes the difference. */
  public ResyncResult refreshApp(String appId) {
    return reconciler.refreshApp(appId);
  }

  /**
   * Reads the registry into the writer's state (ordinals included), as a resync does before it compares, excluding
   * observations meanwhile. A process that takes over writing does this before it applies anything, so it never
   * hands out an ordinal its predecessor gave.
   *
   * @throws mdo.registry.store.EtcdException when the store does not answer
   */
  public void load() {
    locks.resync.writeLock().lock();
    try {
      Snapshot snapshot = store.load(environment);
      state.replace(snapshot);
    } finally {
      locks.resync.writeLock().unlock();
    }
  }

  /**
   * Full resync of the environment; {@code force} deletes the records of apps missing from the listing without asking
   * the backend to confirm each is gone.
   */
  public ResyncResult resync(boolean force) {
    ResyncResult result = reconciler.resync(force);
    if (result.failure() == null) committer.resynced();
    return result;
  }

  /** True once a registry write failed since the last successful resync: the registry may miss changes. */
  public boolean needsResync() {
    return committer.failedSinceResync();
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

  /** A cheap read against the store; false when it does not answer within the timeout. */
  public boolean registryReachable() {
    return store.ping(environment);
  }

  /** Stops the commit dispatcher; the store belongs to the caller. */
  @Override
  public void close() {
    commits.close();
  }
}
