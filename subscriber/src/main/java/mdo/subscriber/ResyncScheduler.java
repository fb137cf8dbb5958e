package mdo.subscriber;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import mdo.command.DaemonThreads;
import mdo.marathon.events.Backoff;
import mdo.registry.writer.RegistryWriter;
import mdo.registry.writer.ResyncResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When full resyncs run: one at a time on a thread of their own, every {@code interval}, whenever asked, and after a
 * failure again with backoff. Requests while one is queued are absorbed; one arriving during a resync runs right
 * after it.
 */
final class ResyncScheduler implements ResyncTrigger, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ResyncScheduler.class);

  private final RegistryWriter writer;
  private final ScheduledExecutorService scheduler;
  private final SubscriberMetrics metrics;
  private final Duration interval;
  private final Consumer<ResyncResult> onResult;
  private final ExecutorService runner = Executors.newSingleThreadExecutor(DaemonThreads.factory("mdo-resync"));
  private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
  private final AtomicBoolean pending = new AtomicBoolean();
  private final AtomicBoolean forcePending = new AtomicBoolean();
  private final AtomicReference<ResyncResult> last = new AtomicReference<>();
  private final AtomicReference<Instant> lastSuccess = new AtomicReference<>();
  private volatile boolean closed;

  /** @param onResult told of every result, on the resync thread */
  ResyncScheduler(RegistryWriter writer, ScheduledExecutorService scheduler, SubscriberMetrics metrics,
      Duration interval, Consumer<ResyncResult> onResult) {
    this.writer = writer;
    this.scheduler = scheduler;
    this.metrics = metrics;
    this.interval = interval;
    this.onResult = onResult;
  }

  void start() {
    long ms = interval.toMillis();
    scheduler.scheduleWithFixedDelay(() -> request("periodic", false), ms, ms, TimeUnit.MILLISECONDS);
  }

  @Override
  public void request(String reason, boolean force) {
    if (closed) return;
    if (force) forcePending.set(true);
    if (!pending.compareAndSet(false, true)) return;
    try {
      runner.execute(() -> run(reason));
    } catch (RejectedExecutionException e) {
      pending.set(false);
    }
  }

  @Override
  public boolean pending() {
    return pending.get();
  }

  ResyncResult last() {
    return last.get();
  }

  Instant lastSuccess() {
    return lastSuccess.get();
  }

  Duration interval() {
    return interval;
  }

  private void run(String reason) {
    pending.set(false);
    boolean force = forcePending.getAndSet(false);
    ResyncResult result = writer.resync(force);
    last.set(result);
    metrics.resynced(result);
    onResult.accept(result);
    if (result.failure() != null) {
      Duration retry = backoff.next();
      log.warn("failed: resync ({}): {}; retrying in {} ms", reason, result.error(), retry.toMillis());
      if (!closed) scheduler.schedule(() -> request("retry", false), retry.toMillis(), TimeUnit.MILLISECONDS);
      return;
    }
    backoff.reset();
    lastSuccess.set(result.at());
    if (result.writes() > 0 || result.refusedDeletes() > 0 || result.conflicts() > 0) {
      log.info("resynced ({}): {}", reason, result.summary());
    } else {
      log.debug("resynced ({}): no changes, {} records", reason, result.records());
    }
  }

  @Override
  public void close() {
    closed = true;
    runner.shutdownNow();
  }
}
