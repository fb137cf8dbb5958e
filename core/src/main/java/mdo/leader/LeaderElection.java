package mdo.leader;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import mdo.command.DaemonThreads;
import mdo.registry.Etcd;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;
import mdo.registry.store.EtcdException;
import mdo.registry.store.Fence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process's part in electing the leader of a role (e.g. the subscriber) of one environment, through one
 * lease-bound key, {@code /mdo/<env>/leaders/<role>}, holding the leader's {@link Leader} JSON.
 *
 * <ul>
 *   <li>Campaign: the key is created only if absent ({@code create_revision == 0}), bound to this process's lease. The
 *       key's create revision identifies the {@link Term}; etcd refuses writes fenced with it once the key is gone.
 *   <li>Leading: the lease is renewed every {@code renewInterval} and the key checked to be still this term's. The
 *       term ends ({@link Listener#deposed}) when the lease is gone, the key was deleted or replaced, a fenced write
 *       was refused ({@link #breached}), or no renewal succeeded for {@code ttl - renewInterval} (etcd unreachable:
 *       etcd may expire the lease soon, so this process stops first).
 *   <li>Standing by: the key is read every {@code retryInterval}; whoever it names is {@link #leader()}. When it is
 *       free, this process campaigns. A process that stepped down while etcd was unreachable and finds its own key
 *       still bound to its live lease takes the same term up again.
 *   <li>{@link #close()} resigns: the key is deleted (if still this term's) and the lease revoked, so a standby takes
 *       over at its next read instead of after the lease's ttl.
 * </ul>
 *
 * Everything runs on one thread of its own, listeners included; {@link #breached} may be called from any thread and
 * closes the fence before it returns.
 */
public final class LeaderElection implements Fence, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

  /** Told of transitions, on the election thread: return quickly (renewals wait meanwhile). */
  public interface Listener {
    /** This process leads from now on. */
    void elected(Term term);

    /** This process's term has ended; its fence closed before this call. */
    void deposed(Term term, String reason);

    /** A standby's view of who leads changed; {@code null}: nobody does right now. */
    default void following(Leader leader) {}
  }

  private final KV kv;
  private final Lease leases;
  private final String role;
  private final String key;
  private final ByteSequence keyBytes;
  private final String id;
  private final String url;
  private final ElectionTiming timing;
  private final Listener listener;
  private final ScheduledExecutorService thread;
  private final AtomicReference<Term> term = new AtomicReference<>();
  private final AtomicLong breaches = new AtomicLong();
  private volatile Leader seen;
  private volatile boolean closed;
  // election thread only
  private long lease;
  private long renewedAt;
  private String failing;

  /**
   * @param client shared; it belongs to the caller
   * @param id this process, unique among the candidates (see {@link #processId})
   * @param url where this process serves HTTP, published to standbys
   */
  public LeaderElection(Client client, String environment, String role, String id, String url, ElectionTiming timing,
      Listener listener) {
    this.kv = client.getKVClient();
    this.leases = client.getLeaseClient();
    this.role = role;
    this.key = key(environment, role);
    this.keyBytes = Etcd.bytes(key);
    this.id = Objects.requireNonNull(id, "id");
    this.url = url;
    this.timing = timing;
    this.listener = listener;
    this.thread = Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory("mdo-leader-" + role));
  }

  /** {@code /mdo/<env>/leaders/<role>} (DESIGN.md, "Registry layout"). */
  public static String key(String environment, String role) {
    if (role == null || !role.matches("[a-z][a-z0-9-]*")) throw new IllegalArgumentException("invalid role: " + role);
    return RegistryKeys.environment(environment) + "leaders/" + role;
  }

  /** {@code <host>/<pid>/<random>}: tells processes apart, and two candidates in one JVM (tests) too. */
  public static String processId() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "unknown-host";
    }
    return host + "/" + ProcessHandle.current().pid() + "/"
        + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt() & 0xffffffffL);
  }

  /** Campaigns at once, then keeps at it in the background. */
  public LeaderElection start() {
    log.info("campaigning: {} leadership of {} as {} (lease ttl {} s)", role, key, id, timing.ttl().toSeconds());
    submit(this::step, Duration.ZERO);
    return this;
  }

  public String id() {
    return id;
  }

  public String key() {
    return key;
  }

  /** The term this process holds, or {@code null} while it does not lead. */
  public Term term() {
    return term.get();
  }

  @Override
  public Guard guard() {
    Term t = term.get();
    return t == null ? null : t.guard();
  }

  public boolean leading() {
    return term.get() != null;
  }

  /** Who leads as last seen: this process while it leads, else what the key held at the last read. */
  public Optional<Leader> leader() {
    Term t = term.get();
    return t != null ? Optional.of(t.leader()) : Optional.ofNullable(seen);
  }

  /** Writes etcd refused because their term had ended. */
  public long breaches() {
    return breaches.get();
  }

  @Override
  public void breached(Guard guard) {
    breaches.incrementAndGet();
    Term refused = term.get();
    if (refused != null && refused.guard().equals(guard) && term.compareAndSet(refused, null)) {
      submit(() -> ended(refused, "etcd refused a write of this term: the leader key is gone or another's"),
          Duration.ZERO);
    }
  }

  // ---- the election thread

  private void step() {
    if (closed) return;
    try {
      Term t = term.get();
      if (t != null) renew(t);
      else campaign();
    } catch (RuntimeException e) { // a bug here must not end the election
      log.error("failed: {} leader election step: {}", role, e.toString(), e);
    }
    submit(this::step, term.get() != null ? timing.renewInterval() : timing.retryInterval());
  }

  private void renew(Term t) {
    long sent = System.nanoTime();
    if (overdue(sent)) {
      depose(t, "lease not renewed for " + sinceRenewal(sent)
          + " ms (etcd unreachable, or this process was paused)");
      return;
    }
    try {
      await(leases.keepAliveOnce(t.lease()), "renew lease " + Long.toHexString(t.lease()), timing.requestTimeout());
      renewedAt = sent;
      GetResponse now = await(kv.get(keyBytes), "read " + key, timing.requestTimeout());
      KeyValue kv = now.getKvs().isEmpty() ? null : now.getKvs().get(0);
      if (kv == null || kv.getCreateRevision() != t.revision()) {
        depose(t, kv == null ? "the leader key was deleted" : "the leader key was replaced (revision "
            + kv.getCreateRevision() + ")");
      }
    } catch (LeaseGone e) {
      lease = 0;
      depose(t, "lease " + Long.toHexString(t.lease()) + " expired");
    } catch (EtcdException e) {
      if (overdue(System.nanoTime())) {
        depose(t, "lease not renewed for " + sinceRenewal(System.nanoTime()) + " ms: " + e.getMessage());
      } else {
        log.warn("retrying: renewing {} leadership: {}", role, e.getMessage());
      }
    }
  }

  private void campaign() {
    try {
      GetResponse current = await(kv.get(keyBytes), "read " + key);
      if (!current.getKvs().isEmpty()) {
        KeyValue held = current.getKvs().get(0);
        Leader holder = parse(held);
        if (holder != null && id.equals(holder.id()) && lease != 0 && held.getLease() == lease && keptAlive()) {
          become(new Term(key, held.getCreateRevision(), lease, holder), "resumed");
        } else {
          follow(holder);
        }
        recovered();
        return;
      }
      ensureLease();
      Leader me = new Leader(id, url, Instant.now().toString());
      TxnResponse won = await(kv.txn()
          .If(new Cmp(keyBytes, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
          .Then(Op.put(keyBytes, ByteSequence.from(RegistryJson.write(me)),
              PutOption.builder().withLeaseId(lease).build()))
          .Else(Op.get(keyBytes, GetOption.DEFAULT))
          .commit(), "campaign for " + key);
      recovered();
      if (won.isSucceeded()) {
        become(new Term(key, won.getHeader().getRevision(), lease, me), "elected");
      } else {
        List<KeyValue> other = won.getGetResponses().isEmpty() ? List.of() : won.getGetResponses().get(0).getKvs();
        follow(other.isEmpty() ? null : parse(other.get(0)));
      }
    } catch (EtcdException e) {
      if (failing == null) {
        log.warn("failed: {} campaign for {}: {}; retrying every {} ms", role, key, e.getMessage(),
            timing.retryInterval().toMillis());
      }
      failing = e.getMessage();
    }
  }

  /** This process's lease, renewed or new. */
  private void ensureLease() {
    if (lease != 0 && keptAlive()) return;
    long sent = System.nanoTime();
    lease = await(leases.grant(timing.ttl().toSeconds()), "grant a lease").getID();
    renewedAt = sent;
  }

  /** Renews the lease held; false (and forgets it) when etcd no longer has it. */
  private boolean keptAlive() {
    long sent = System.nanoTime();
    try {
      await(leases.keepAliveOnce(lease), "renew lease " + Long.toHexString(lease));
      renewedAt = sent;
      return true;
    } catch (LeaseGone e) {
      lease = 0;
      return false;
    }
  }

  /** Takes up a term; a listener that cannot start it gives the key back, so that another candidate leads. */
  private void become(Term t, String how) {
    term.set(t);
    seen = t.leader();
    log.info("{}: {} leader of {} as {} ({})", how, role, key, id, t);
    try {
      listener.elected(t);
    } catch (RuntimeException e) {
      log.error("failed: starting {} leadership: {}", role, e.toString(), e);
      depose(t, "could not start leading: " + e);
      giveBack(t);
    }
  }

  /** Deletes the term's key if it is still the term's. */
  private void giveBack(Term t) {
    try {
      await(kv.txn().If(new Cmp(keyBytes, Cmp.Op.EQUAL, CmpTarget.createRevision(t.revision())))
          .Then(Op.delete(keyBytes, DeleteOption.DEFAULT)).commit(), "delete " + key, timing.requestTimeout());
    } catch (EtcdException e) {
      log.warn("failed: giving up {} ({}): {}; the lease expires within {} s", key, t, e.getMessage(),
          timing.ttl().toSeconds());
    }
  }

  private void depose(Term t, String reason) {
    if (term.compareAndSet(t, null)) ended(t, reason);
  }

  private void ended(Term t, String reason) {
    seen = null;
    log.warn("deposed: {} leader of {} ({}): {}; standing by", role, key, t, reason);
    try {
      listener.deposed(t, reason);
    } catch (RuntimeException e) {
      log.error("failed: stopping {} leadership: {}", role, e.toString(), e);
    }
  }

  private void follow(Leader holder) {
    if (Objects.equals(holder, seen)) return;
    seen = holder;
    if (holder == null) log.info("following: no {} leader at {} (the key holds no leader)", role, key);
    else log.info("following: {} leader {} at {} since {}", role, holder.id(), holder.url(), holder.since());
    try {
      listener.following(holder);
    } catch (RuntimeException e) {
      log.error("failed: following {} leader: {}", role, e.toString(), e);
    }
  }

  private void recovered() {
    if (failing != null) log.info("recovered: {} campaign for {}", role, key);
    failing = null;
  }

  private boolean overdue(long now) {
    return now - renewedAt > timing.stepDownAfter().toNanos();
  }

  private long sinceRenewal(long now) {
    return TimeUnit.NANOSECONDS.toMillis(now - renewedAt);
  }

  private static Leader parse(KeyValue kv) {
    try {
      return RegistryJson.read(kv.getValue().getBytes(), Leader.class, kv.getKey().toString());
    } catch (IllegalArgumentException e) {
      return new Leader("unreadable", null, null);
    }
  }

  /**
   * {@link EtcdException#await} with the timeout of a campaign step (a process's first etcd request loads and connects
   * the client, which takes seconds), telling a missing lease apart from an unreachable etcd.
   */
  private <T> T await(CompletableFuture<T> future, String what) {
    return await(future, what, timing.ttl());
  }

  private <T> T await(CompletableFuture<T> future, String what, Duration timeout) {
    try {
      return EtcdException.await(future, what, timeout);
    } catch (EtcdException e) {
      if (e.getCause() instanceof io.etcd.jetcd.common.exception.EtcdException ee
          && ee.getErrorCode() == io.etcd.jetcd.common.exception.ErrorCode.NOT_FOUND) {
        throw new LeaseGone();
      }
      throw e;
    }
  }

  /** etcd answered that the lease does not exist (expired or revoked). */
  private static final class LeaseGone extends RuntimeException {
    LeaseGone() {
      super(null, null, false, false);
    }
  }

  private void submit(Runnable task, Duration delay) {
    try {
      thread.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed: nothing runs after close
    }
  }

  /**
   * Resigns and stops: the key is deleted if still this term's and the lease revoked, so a standby takes over at its
   * next read. Waits for the election thread to finish what it does.
   */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    try {
      // a campaign step in progress may wait for etcd up to the ttl first
      thread.submit(this::resign).get(timing.ttl().plus(timing.renewInterval()).toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
      log.warn("failed: resigning {} leadership: {}", role, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      thread.shutdownNow();
    }
  }

  private void resign() {
    Term t = term.getAndSet(null);
    if (t != null) giveBack(t);
    try {
      if (lease != 0) await(leases.revoke(lease), "revoke lease " + Long.toHexString(lease), timing.requestTimeout());
      if (t != null) log.info("resigned: {} leader of {} ({})", role, key, t);
    } catch (EtcdException | LeaseGone e) {
      log.warn("failed: revoking the {} lease: {}; it expires within {} s", role, e.getMessage(),
          timing.ttl().toSeconds());
    }
    lease = 0;
  }
}
