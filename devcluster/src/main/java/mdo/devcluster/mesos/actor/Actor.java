package mdo.devcluster.mesos.actor;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import mdo.command.DaemonThreads;
import org.slf4j.Logger;

/**
 * One thread that owns a component's state, as a libprocess process owns the master's or the agent's: work and timers
 * run on it one at a time, a failure in one is logged and the thread goes on, and nothing is scheduled once it stops.
 */
public final class Actor {
  private final String name;
  private final Logger log;
  private final ScheduledExecutorService executor;

  public Actor(String name, Logger log) {
    this.name = name;
    this.log = log;
    this.executor = Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory(name));
  }

  public void execute(Runnable work) {
    try {
      executor.execute(guarded(work));
    } catch (RejectedExecutionException e) {
      log.debug("{}: stopped; dropping work", name);
    }
  }

  /** A timer; null once the actor is stopping (nothing needs to fire then). */
  public ScheduledFuture<?> schedule(Duration delay, Runnable work) {
    try {
      return executor.schedule(guarded(work), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  /** A timer that fires every {@code period}, the first time one period from now; null once stopping. */
  public ScheduledFuture<?> schedulePeriodic(Duration period, Runnable work) {
    try {
      return executor.scheduleAtFixedRate(guarded(work), period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  /** Runs {@code work} on the actor and waits for its result (at most 30 s). */
  public <T> T call(Callable<T> work) {
    try {
      return executor.submit(work).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + name, e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(name + " did not answer within 30 s", e);
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException(name + " is stopped", e);
    }
  }

  public void stop() {
    executor.shutdownNow();
  }

  private Runnable guarded(Runnable work) {
    return () -> {
      try {
        work.run();
      } catch (RuntimeException e) {
        log.error("{}: unexpected failure (it keeps running)", name, e);
      }
    };
  }
}
