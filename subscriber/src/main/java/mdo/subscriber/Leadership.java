package mdo.subscriber;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import mdo.command.UntrustedText;
import mdo.guestutils.RegistryUnavailableException;
import mdo.guestutils.RegistryWatch;
import mdo.leader.ElectionTiming;
import mdo.leader.Leader;
import mdo.leader.LeaderElection;
import mdo.leader.Term;
import mdo.marathon.events.MarathonEvent;
import mdo.registry.InstanceRecord;
import mdo.registry.store.Fence;
import mdo.registry.writer.ResyncResult;
import mdo.subscriber.callbacks.CallbackService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriber's place in its environment's leader election ({@code /mdo/<env>/leaders/subscriber}): any number of
 * subscribers run, one leads. The leader has {@link LeaderDuties} (events, resyncs, callbacks) for the length of its
 * term; a standby only reads: it follows the registry through a watch, so {@code /info} and {@code /v1/services} show
 * the registry from any subscriber, and forwards what only the leader does ({@link LeaderProxy}). It is also the
 * registry store's {@link Fence}: no registry write leaves a process that does not lead, and etcd refuses those of a
 * term that ended.
 */
final class Leadership implements LeaderElection.Listener, ResyncTrigger, Fence, AutoCloseable {
  static final String ROLE = "subscriber";
  private static final Logger log = LoggerFactory.getLogger(Leadership.class);

  private final Client etcd;
  private final String environment;
  private final SubscriberMetrics metrics;
  private final ElectionTiming timing;
  private Function<Term, LeaderDuties> duties;
  private volatile LeaderElection election;
  private volatile LeaderDuties current;
  private volatile RegistryWatch mirror;
  private boolean closed;
  private volatile boolean followingAlways;

  Leadership(Client etcd, String environment, SubscriberMetrics metrics, ElectionTiming timing) {
    this.etcd = etcd;
    this.environment = environment;
    this.metrics = metrics;
    this.timing = timing;
  }

  /**
   * Starts campaigning; until then this process does not lead (and its fence refuses every write).
   *
   * @param url where this subscriber serves, published while it leads
   * @param duties builds (without starting) what a term does
   */
  synchronized void start(String url, Function<Term, LeaderDuties> duties) {
    this.duties = duties;
    election = new LeaderElection(etcd, environment, ROLE, LeaderElection.processId(), url, timing, this).start();
    metrics.leadership(this::leading, election::breaches);
  }

  // ---- transitions (on the election thread)

  @Override
  public synchronized void elected(Term term) {
    if (closed) return;
    metrics.transition("leader");
    current = duties.apply(term).start();
  }

  @Override
  public synchronized void deposed(Term term, String reason) {
    metrics.transition("standby");
    LeaderDuties d = current;
    current = null;
    if (d != null) d.close(false);
    if (!closed) follow();
  }

  @Override
  public void following(Leader leader) {
    if (current == null) follow();
  }

  /** Follows the registry for good, whether leading or not: where the framework writes it, no resync ever runs. */
  void followAlways() {
    followingAlways = true;
    follow();
  }

  /** A term's resync: once the first succeeded, the writer's state is the registry and the standby's watch can go. */
  void resynced(ResyncResult result) {
    if (result.failure() == null) stopFollowing();
  }

  private synchronized void follow() {
    if (mirror != null || closed) return;
    mirror = new RegistryWatch(etcd, environment, Duration.ofMillis(100)).start();
    log.info("following: registry of '{}' (standby: reading, not writing)", environment);
  }

  private synchronized void stopFollowing() {
    if (followingAlways && !closed) return;
    RegistryWatch m = mirror;
    mirror = null;
    if (m != null) m.close();
  }

  // ---- what the rest of the subscriber sees

  boolean leading() {
    return current != null;
  }

  /** This term's duties, or null on a standby. */
  LeaderDuties duties() {
    return current;
  }

  Optional<Leader> leader() {
    LeaderElection e = election;
    return e == null ? Optional.empty() : e.leader();
  }

  /** This process's id in the election. */
  String id() {
    LeaderElection e = election;
    return e == null ? null : e.id();
  }

  @Override
  public Guard guard() {
    LeaderElection e = election;
    return e == null ? null : e.guard();
  }

  @Override
  public void breached(Guard guard) {
    LeaderElection e = election;
    if (e != null) e.breached(guard);
  }

  @Override
  public void request(String reason, boolean force) {
    LeaderDuties d = current;
    if (d != null && d.resyncs() != null) d.resyncs().request(reason, force);
  }

  /**
   * The registry as the standby's watch sees it (also a new leader's until its first resync), or empty where this
   * process does not follow it: then the writer's state is the registry.
   */
  Optional<List<InstanceRecord>> followed() {
    RegistryWatch m = mirror;
    if (m == null) return Optional.empty();
    List<InstanceRecord> records = new ArrayList<>();
    try {
      for (String service : m.services()) records.addAll(m.read(service).instances());
    } catch (RegistryUnavailableException e) {
      return Optional.empty(); // the watch has not loaded yet
    }
    records.sort(Comparator.comparing(InstanceRecord::service).thenComparingInt(InstanceRecord::ordinal)
        .thenComparing(InstanceRecord::taskId));
    return Optional.of(records);
  }

  /** An event Marathon POSTed to {@code /callback}: the leader refetches the apps it names; a standby ignores it. */
  void acceptCallback(MarathonEvent event) {
    LeaderDuties d = current;
    if (d != null && d.intake() != null) d.intake().acceptCallback(event);
    else metrics.event(event.type(), "ignored");
  }

  void malformed(String type, String reason) {
    LeaderDuties d = current;
    if (d != null && d.intake() != null) {
      d.intake().malformed(type, reason);
    } else {
      metrics.event(type, "malformed");
      log.warn("skipped: malformed {} event on a standby: {}", type == null ? "unknown" : UntrustedText.escape(type),
          UntrustedText.escape(reason, 500));
    }
  }

  /** The current term's callback service, or null on a standby. */
  CallbackService callbacks() {
    LeaderDuties d = current;
    return d == null ? null : d.callbacks();
  }

  /** Re-registers the Marathon callback where this process leads in callback mode. */
  void keepSubscribed() {
    LeaderDuties d = current;
    if (d != null) d.keepSubscribed();
  }

  /**
   * Shutdown: the term's queued events are written, then the election resigns (a standby takes over at its next read,
   * not after the lease's ttl).
   */
  @Override
  public void close() {
    LeaderDuties d;
    LeaderElection e;
    synchronized (this) {
      closed = true;
      d = current;
      current = null; // a deposition meanwhile finds nothing left to close
      e = election;
    }
    if (d != null) d.close(true); // the election still holds the term: the queued writes carry its guard
    if (e != null) e.close();
    stopFollowing();
  }
}
