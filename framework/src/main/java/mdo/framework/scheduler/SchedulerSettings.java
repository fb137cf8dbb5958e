package mdo.framework.scheduler;

import java.time.Duration;

/**
 * How the scheduler paces itself; {@link #defaults(Duration)} are Marathon's where Marathon has one.
 *
 * @param refuseSeconds how long declined offers stay away (Marathon's {@code --decline_offer_duration}, 120 s); a
 *     REVIVE brings them back as soon as something is waiting to launch
 * @param killRetry a KILL not followed by a terminal update is sent again after this (Marathon's kill retry, 10 s)
 * @param reconcileInterval implicit reconciliation, and explicit for unreachable tasks, this often (Marathon's
 *     {@code --reconciliation_interval}, 10 minutes)
 * @param reconcileRetry first wait for answers to an explicit reconciliation before asking again, doubling up to
 *     {@code reconcileRetryMax}
 * @param unreachableTimeout an instance unreachable this long is replaced (Marathon's {@code inactiveAfterSeconds})
 * @param backoff the first relaunch delay after a task failed, growing by {@code backoffFactor} per failure up to
 *     {@code backoffMax} (Marathon's {@code backoffSeconds} 1, {@code backoffFactor} 1.15, {@code maxLaunchDelaySeconds}
 *     300)
 * @param launchConfirm a task without any status update this long after its launch is reconciled explicitly (an
 *     ACCEPT that never reached the master is then answered TASK_GONE and the task relaunched; Marathon's
 *     {@code --task_launch_confirm_timeout}, 5 minutes)
 * @param tick how often timers (kill retries, reconciliation, unreachable timeouts, backoffs) are looked at
 */
public record SchedulerSettings(double refuseSeconds, Duration killRetry, Duration reconcileInterval,
    Duration reconcileRetry, Duration reconcileRetryMax, Duration unreachableTimeout, Duration backoff,
    double backoffFactor, Duration backoffMax, Duration launchConfirm, Duration tick) {

  public SchedulerSettings {
    if (refuseSeconds <= 0) throw new IllegalArgumentException("refuseSeconds must be positive");
    if (backoffFactor < 1) throw new IllegalArgumentException("backoffFactor must be at least 1");
  }

  public static SchedulerSettings defaults(Duration unreachableTimeout) {
    return new SchedulerSettings(120, Duration.ofSeconds(10), Duration.ofMinutes(10), Duration.ofSeconds(2),
        Duration.ofMinutes(1), unreachableTimeout, Duration.ofSeconds(1), 1.15, Duration.ofMinutes(5),
        Duration.ofMinutes(5), Duration.ofSeconds(1));
  }

  /** Faster timers for tests. */
  public SchedulerSettings withTimers(Duration newKillRetry, Duration newReconcileRetry, Duration newLaunchConfirm,
      Duration newTick) {
    return new SchedulerSettings(refuseSeconds, newKillRetry, reconcileInterval, newReconcileRetry, reconcileRetryMax,
        unreachableTimeout, backoff, backoffFactor, backoffMax, newLaunchConfirm, newTick);
  }

  public SchedulerSettings withBackoff(Duration first, double factor, Duration max) {
    return new SchedulerSettings(refuseSeconds, killRetry, reconcileInterval, reconcileRetry, reconcileRetryMax,
        unreachableTimeout, first, factor, max, launchConfirm, tick);
  }

  public SchedulerSettings withReconcileInterval(Duration interval) {
    return new SchedulerSettings(refuseSeconds, killRetry, interval, reconcileRetry, reconcileRetryMax,
        unreachableTimeout, backoff, backoffFactor, backoffMax, launchConfirm, tick);
  }
}
