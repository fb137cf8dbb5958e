package mdo.subscriber;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import mdo.marathon.MarathonClusterView;
import mdo.marathon.MarathonClusterView.ReceivedEvent;
import mdo.registry.writer.RegistryWriter;
import mdo.registry.writer.ResyncResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events queued per app. One worker at a time drains an app's queue, turns everything queued into observations
 * ({@link MarathonClusterView#observations}) and applies them as one batch (one etcd transaction, one app-definition
 * lookup), so a burst for one app costs one write, not one per event. Refreshes
 * (refetching an app from Marathon) wait {@code refreshDelay} and coalesce: however many events ask for one while it
 * waits, it runs once. The queue is bounded: on overflow events are dropped and {@code onOverflow} asks for a resync,
 * which heals whatever the dropped events would have done. An app's slot exists only while it has events queued, is
 * being drained or has a refresh waiting: Marathon's stream names every app of the cluster, and a slot per app ever seen
 * would only grow.
 */
final class AppQueue {
  private static final Logger log = LoggerFactory.getLogger(AppQueue.class);

  private final RegistryWriter writer;
  private final MarathonClusterView view;
  private final ExecutorService workers;
  private final ScheduledExecutorService scheduler;
  private final Duration refreshDelay;
  private final int capacity;
  private final Runnable onOverflow;
  private final SubscriberMetrics metrics;
  private final Map<String, Slot> slots = new ConcurrentHashMap<>();
  private final AtomicInteger depth = new AtomicInteger();
  private final AtomicBoolean overflowing = new AtomicBoolean();
  private volatile String lastRefreshError;

  private static final class Slot {
    List<ReceivedEvent> events = new ArrayList<>();
    boolean draining;
    boolean refreshScheduled;
    /** Removed from the map: whoever holds it must take a fresh slot instead. */
    boolean retired;

    boolean idle() {
      return events.isEmpty() && !draining && !refreshScheduled;
    }
  }

  AppQueue(RegistryWriter writer, MarathonClusterView view, ExecutorService workers, ScheduledExecutorService scheduler, Duration refreshDelay,
      int capacity, Runnable onOverflow, SubscriberMetrics metrics) {
    this.writer = writer;
    this.view = view;
    this.workers = workers;
    this.scheduler = scheduler;
    this.refreshDelay = refreshDelay;
    this.capacity = capacity;
    this.onOverflow = onOverflow;
    this.metrics = metrics;
  }

  int depth() {
    return depth.get();
  }

  /** Apps with a slot now (queued, draining or waiting for a refresh). */
  int slots() {
    return slots.size();
  }

  /** Retires the slot if nothing uses it; call while holding its lock. */
  private void retireIfIdle(String appId, Slot slot) {
    if (slot.idle() && !slot.retired) {
      slot.retired = true;
      slots.remove(appId, slot);
    }
  }

  /** Queues an event for each app it names; false when the queue is full and the event was dropped. */
  boolean offer(ReceivedEvent received) {
    if (depth.get() >= capacity) {
      metrics.event(received.event().type(), "dropped");
      if (overflowing.compareAndSet(false, true)) {
        log.warn("overflowed: event queue full ({} events); dropping events until a resync catches up", capacity);
        metrics.overflow();
        onOverflow.run();
      }
      return false;
    }
    overflowing.set(false);
    for (String appId : received.event().appIds()) {
      while (true) {
        Slot slot = slots.computeIfAbsent(appId, a -> new Slot());
        boolean start;
        synchronized (slot) {
          if (slot.retired) continue;
          slot.events.add(received);
          depth.incrementAndGet();
          start = !slot.draining;
          slot.draining = true;
        }
        if (start) submit(() -> drain(appId, slot));
        break;
      }
    }
    return true;
  }

  /** Asks for one refetch of the app after {@code refreshDelay}; requests while one waits are absorbed. */
  void refresh(String appId) {
    Slot slot;
    while (true) {
      slot = slots.computeIfAbsent(appId, a -> new Slot());
      synchronized (slot) {
        if (slot.retired) continue;
        if (slot.refreshScheduled) {
          metrics.refreshCoalesced();
          return;
        }
        slot.refreshScheduled = true;
        break;
      }
    }
    Slot scheduled = slot;
    try {
      scheduler.schedule(() -> submit(() -> runRefresh(appId, scheduled)), refreshDelay.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      synchronized (scheduled) {
        scheduled.refreshScheduled = false;
        retireIfIdle(appId, scheduled);
      }
    }
  }

  /**
   * Applies what is queued for one app as one batch. If more arrived meanwhile, the app goes to the back of the
   * workers' queue instead of keeping its thread: with more busy apps than threads, every app still gets its turn.
   */
  private void drain(String appId, Slot slot) {
    List<ReceivedEvent> batch;
    synchronized (slot) {
      batch = slot.events;
      slot.events = new ArrayList<>();
      if (batch.isEmpty()) {
        slot.draining = false;
        retireIfIdle(appId, slot);
        return;
      }
    }
    depth.addAndGet(-batch.size());
    try {
      MarathonClusterView.Translation t = view.observations(appId, batch, metrics);
      if (writer.apply(t.observations()) || t.refresh()) refresh(appId);
    } catch (RuntimeException e) { // a bug, not bad data (that is skipped and counted): the app is re-read instead
      metrics.internalError("apply");
      log.error("failed: applying {} events of {}; refreshing it from Marathon", batch.size(), appId, e);
      refresh(appId);
    }
    synchronized (slot) {
      if (slot.events.isEmpty()) {
        slot.draining = false;
        retireIfIdle(appId, slot);
        return;
      }
    }
    submit(() -> drain(appId, slot));
  }

  private void runRefresh(String appId, Slot slot) {
    synchronized (slot) {
      slot.refreshScheduled = false; // events arriving from now on ask for a new refresh
      retireIfIdle(appId, slot);
    }
    ResyncResult result;
    try {
      result = writer.refreshApp(appId);
    } catch (RuntimeException e) {
      metrics.internalError("refresh");
      log.error("failed: refreshing {} with an unexpected error; the next resync repairs it", appId, e);
      return;
    }
    metrics.refreshed(result);
    if (result.error() != null) {
      // one line per kind of failure (an etcd outage fails every refresh alike), not one per refresh
      if (!result.error().equals(lastRefreshError)) log.warn("failed: refreshing {}: {}", appId, result.error());
      else log.debug("failed: refreshing {}: {}", appId, result.error());
      lastRefreshError = result.error();
      return;
    }
    lastRefreshError = null;
    if (result.writes() > 0) log.info("refreshed: {} ({})", appId, result.summary());
  }

  private void submit(Runnable task) {
    try {
      workers.execute(task);
    } catch (RejectedExecutionException e) {
      // shutting down: the next start resyncs
    }
  }
}
