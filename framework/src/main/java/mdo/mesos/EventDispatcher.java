package mdo.mesos;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import mdo.command.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs listener callbacks on one thread in submission order, so the reader never waits for the scheduler logic and
 * the logic sees one ordered history. A throwing callback is logged and counted, never fatal.
 */
final class EventDispatcher {
  private static final Logger log = LoggerFactory.getLogger(EventDispatcher.class);

  private final SchedulerListener listener;
  private final ThreadPoolExecutor executor;
  private final AtomicLong failures = new AtomicLong();
  private volatile Thread thread;

  EventDispatcher(SchedulerListener listener) {
    this.listener = listener;
    this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
      thread = DaemonThreads.create("mesos-events", r);
      return thread;
    });
  }

  void submit(String what, Consumer<SchedulerListener> callback) {
    try {
      executor.execute(() -> {
        try {
          callback.accept(listener);
        } catch (RuntimeException | AssertionError e) {
          failures.incrementAndGet();
          log.error("listener failed on {}; continuing with the next event", what, e);
        }
      });
    } catch (RejectedExecutionException e) {
      log.debug("dropped {}: connection closed", what);
    }
  }

  long failures() {
    return failures.get();
  }

  /** Callbacks queued behind the one running: a growing number means the listener cannot keep up. */
  int backlog() {
    return executor.getQueue().size();
  }

  /** Delivers what is queued (bounded wait), then stops. Safe to call from a callback. */
  void close() {
    executor.shutdown();
    if (Thread.currentThread() == thread) return;
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("listener still busy 5 s after close; interrupting it");
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
