package mdo.mesos;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import mdo.command.DaemonThreads;
import okhttp3.Call;

/**
 * Cancels the subscription call when the stream has been silent too long: before SUBSCRIBED for the request timeout,
 * after it for {@code missedHeartbeats × heartbeat_interval_seconds} (the master sends a HEARTBEAT every 15 s, API.md
 * §1.3). The cancel makes the reader's blocking read fail, and the connection re-subscribes. One check is pending at a
 * time and runs when the deadline would pass, so an event only moves a timestamp.
 */
final class HeartbeatWatchdog implements AutoCloseable {
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory("mesos-watchdog"));
  private volatile long deadline;
  private volatile long timeoutNanos;
  private Call call;
  private String waitingFor;
  private String fired;
  private long generation;

  /** Watches a new call: it must produce an event within {@code timeout}. */
  synchronized void arm(Call call, Duration timeout, String waitingFor) {
    this.call = call;
    this.fired = null;
    retime(timeout, waitingFor);
  }

  /** A new silence budget from now on, e.g. once SUBSCRIBED announced the heartbeat interval. */
  synchronized void retime(Duration timeout, String waitingFor) {
    this.timeoutNanos = timeout.toNanos();
    this.waitingFor = waitingFor;
    touch();
    long gen = ++generation;
    schedule(gen, timeoutNanos);
  }

  /** An event arrived. */
  void touch() {
    deadline = System.nanoTime() + timeoutNanos;
  }

  synchronized void disarm() {
    call = null;
    generation++;
  }

  /** Why the watchdog cancelled the last call, or null if it did not. */
  synchronized String fired() {
    return fired;
  }

  private void schedule(long gen, long delayNanos) {
    if (!timer.isShutdown()) timer.schedule(() -> check(gen), Math.max(delayNanos, 0), TimeUnit.NANOSECONDS);
  }

  private void check(long gen) {
    Call victim;
    synchronized (this) {
      if (gen != generation || call == null) return;
      long remaining = deadline - System.nanoTime();
      if (remaining > 0) {
        schedule(gen, remaining);
        return;
      }
      fired = "no event for " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms while waiting for " + waitingFor;
      victim = call;
      call = null;
    }
    victim.cancel();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
