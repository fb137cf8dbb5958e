package mdo.subscriber;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import mdo.command.DaemonThreads;
import mdo.command.Failure;
import mdo.marathon.events.Backoff;
import mdo.registry.writer.RegistryWriter;
import mdo.registry.writer.ResyncResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of when full resyncs run: one at a time on a thread of their own, {@code interval} after the last one,
 * and as soon as asked. After a resync that failed (or had to keep records it could not confirm stale) the next one
 * runs after a backoff, and every request arriving meanwhile (the probe seeing etcd back, the stream reconnecting,
 * {@code POST /v1/resync}) is folded into that run instead of starting another: the retry delay logged is the delay
 * kept. A request during a resync runs one more right after it. A resync that throws is a failure like any other: the
 * thread never dies.
 */
final class ResyncScheduler implements ResyncTrigger, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ResyncScheduler.class);

  private final RegistryWriter writer;
  private final SubscriberMetrics metrics;
  private final Duration interval;
  private final Consumer<ResyncResult> onResult;
  private final ScheduledExecutorService runner =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory("mdo-resync"));
  private final Backoff backoff;
  private final AtomicReference<ResyncResult> last = new AtomicReference<>();
  private final AtomicReference<Instant> lastSuccess = new AtomicReference<>();
  private final AtomicReference<Instant> failingSince = new AtomicReference<>();
  // the schedule, under this object's lock
  private final Set<String> reasons = new LinkedHashSet<>();
  private ScheduledFuture<?> next;
  private Instant nextAt;
  private boolean force;
  private boolean running;
  private boolean retrying;
  private int failures;
  private String lastError;
  private boolean closed;

  /**
   * @param retry the backoff after a failed resync (first delay and ceiling)
   * @param onResult told of every result, on the resync thread
   */
  ResyncScheduler(RegistryWriter writer, SubscriberMetrics metrics, Duration interval, Backoff retry,
      Consumer<ResyncResult> onResult) {
    this.writer = writer;
    this.metrics = metrics;
    this.interval = interval;
    this.backoff = retry;
    this.onResult = onResult;
  }

  /** Starts the periodic schedule (unless a resync was asked for already). */
  synchronized void start() {
    if (next == null && !running) schedule(interval);
  }

  @Override
  public synchronized void request(String reason, boolean force) {
    if (closed) return;
    reasons.add(reason);
    this.force |= force;
    if (running || retrying) return; // folded into the run after this one, or into the retry already scheduled
    schedule(Duration.ZERO);
  }

  ResyncResult last() {
    return last.get();
  }

  Instant lastSuccess() {
    return lastSuccess.get();
  }

  /** When the current run of failed resyncs began; null while the last one succeeded. */
  Instant failingSince() {
    return failingSince.get();
  }

  /** When the next resync is due; null while one runs. */
  synchronized Instant nextAt() {
    return nextAt;
  }

  Duration interval() {
    return interval;
  }

  /** Replaces the scheduled run with one after {@code delay}. */
  private void schedule(Duration delay) {
    if (next != null) next.cancel(false);
    try {
      next = runner.schedule(this::run, delay.toMillis(), TimeUnit.MILLISECONDS);
      nextAt = Instant.now().plus(delay);
    } catch (RejectedExecutionException e) {
      next = null; // closed
    }
  }

  private void run() {
    String why;
    boolean forced;
    synchronized (this) {
      if (closed) return;
      next = null;
      nextAt = null;
      running = true;
      why = reasons.isEmpty() ? "periodic" : String.join(", ", reasons);
      reasons.clear();
      forced = force;
      force = false;
    }
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    ResyncResult result;
    try {
      result = writer.resync(forced);
    } catch (RuntimeException e) {
      log.error("failed: resync ({}) with an unexpected error", why, e);
      metrics.internalError("resync");
      result = ResyncResult.failed(started, Duration.ofNanos(System.nanoTime() - t0), ResyncResult.Cause.INTERNAL,
          Failure.Kind.FAILED, "internal error: " + e);
    }
    last.set(result);
    metrics.resynced(result);
    try {
      onResult.accept(result);
    } catch (RuntimeException e) {
      log.error("failed: reporting a resync result", e);
      metrics.internalError("resync");
    }
    done(result, why);
  }

  private synchronized void done(ResyncResult result, String why) {
    running = false;
    if (closed) return;
    if (result.failure() != null) {
      failures++;
      failingSince.compareAndSet(null, result.at());
      Duration retry = backoff.next();
      retrying = true;
      if (!result.error().equals(lastError)) {
        log.warn("failed: resync ({}): {}; retrying in {} ms", why, result.error(), retry.toMillis());
      } else {
        log.debug("failed again: resync ({}), {} times since {}; retrying in {} ms", why, failures, failingSince.get(),
            retry.toMillis());
      }
      lastError = result.error();
      schedule(retry);
      return;
    }
    if (failures > 0) {
      log.info("recovered: resync ({}) after {} failed attempts since {}: {}", why, failures, failingSince.get(),
          result.summary());
    } else if (result.writes() > 0 || result.conflicts() > 0) {
      log.info("resynced ({}): {}", why, result.summary());
    } else {
      log.debug("resynced ({}): no changes, {} records", why, result.records());
    }
    failures = 0;
    lastError = null;
    failingSince.set(null);
    lastSuccess.set(result.at());
    if (!result.refused().isEmpty()) { // records kept unconfirmed: ask the backend again soon, not in an interval
      retrying = true;
      schedule(backoff.next());
      return;
    }
    backoff.reset();
    retrying = false;
    schedule(reasons.isEmpty() ? interval : Duration.ZERO);
  }

  @Override
  public synchronized void close() {
    closed = true;
    runner.shutdownNow();
  }
}
