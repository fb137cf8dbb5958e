package mdo.devcluster.mesos.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Supplier;
import mdo.devcluster.mesos.actor.Actor;
import org.apache.mesos.v1.Protos.HealthCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Mesos-run health check with the command executor's semantics ({@code src/checks/health_checker.cpp}): the first
 * probe after {@code delay_seconds}, then one every {@code interval_seconds} after the previous finished; failures
 * within {@code grace_period_seconds} before the first success are ignored; the first success and the first success
 * after failures report healthy, every counted failure reports unhealthy, and {@code consecutive_failures} of them
 * ask for the task to be killed. Probes run off the agent's actor; results come back to it.
 */
final class HealthChecker {
  private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

  /** Gets each verdict that Mesos would turn into a status update. */
  interface Listener {
    void healthChanged(boolean healthy, boolean killTask);
  }

  private final String taskId;
  private final HealthCheck check;
  private final Supplier<String> probe;
  private final Actor actor;
  private final ExecutorService probes;
  private final Listener listener;
  private final Instant start = Instant.now();
  private boolean initializing = true;
  private int consecutiveFailures;
  private boolean paused;
  private ScheduledFuture<?> next;

  /** @param probe one probe: null when healthy, else why not; it may block up to the check's timeout */
  HealthChecker(String taskId, HealthCheck check, Supplier<String> probe, Actor actor,
                ExecutorService probes, Listener listener) {
    this.taskId = taskId;
    this.check = check;
    this.probe = probe;
    this.actor = actor;
    this.probes = probes;
    this.listener = listener;
  }

  void start() {
    schedule(seconds(check.getDelaySeconds()));
  }

  /** Stops checking (the task is being killed or ended). */
  void pause() {
    paused = true;
    if (next != null) next.cancel(false);
  }

  private void schedule(Duration delay) {
    if (!paused) next = actor.schedule(delay, this::probeNow);
  }

  private void probeNow() {
    if (paused) return;
    try {
      probes.execute(() -> {
        String problem;
        try {
          problem = probe.get();
        } catch (RuntimeException e) {
          log.warn("agent: health probe of task {} failed to run", taskId, e);
          problem = "the probe could not run: " + e;
        }
        String verdict = problem;
        actor.execute(() -> result(verdict));
      });
    } catch (RejectedExecutionException e) {
      // the agent stopped meanwhile
    }
  }

  private void result(String problem) {
    if (paused) return;
    if (problem == null) {
      if (initializing || consecutiveFailures > 0) listener.healthChanged(true, false);
      initializing = false;
      consecutiveFailures = 0;
    } else if (initializing && check.getGracePeriodSeconds() > 0
        && Duration.between(start, Instant.now()).compareTo(seconds(check.getGracePeriodSeconds())) <= 0) {
      log.info("agent: ignoring failure of the health check of task {}: still in grace period ({})", taskId, problem);
    } else {
      consecutiveFailures++;
      log.warn("agent: health check of task {} failed {} times consecutively: {}", taskId, consecutiveFailures,
          problem);
      listener.healthChanged(false, consecutiveFailures >= check.getConsecutiveFailures());
    }
    schedule(seconds(check.getIntervalSeconds()));
  }

  static Duration seconds(double seconds) {
    return Duration.ofMillis((long) (seconds * 1000));
  }
}
