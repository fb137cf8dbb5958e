package mdo.devcluster.run;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import mdo.devcluster.apps.AppSpec;
import mdo.devcluster.events.Events;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an instance's health checks on the checker pool and folds the verdicts in on the actor thread.
 *
 * <p>Like Marathon: the checks Mesos runs (COMMAND, MESOS_*) start {@code delaySeconds} after the task is running
 * (Mesos's {@code HealthCheck.delay_seconds}, default 15); the ones Marathon runs (HTTP, HTTPS, TCP) have no delay.
 * Failures inside {@code gracePeriodSeconds} before the first success are ignored. The checks Marathon runs report
 * each failure ({@code failed_health_check_event}), each flip ({@code health_status_changed_event}) and kill after
 * {@code maxConsecutiveFailures} (when above 0) with an {@code unhealthy_instance_kill_event}
 * ({@code HealthCheckActor}); Mesos's checks report a flip as another TASK_RUNNING status update and kill without
 * that event (the executors' {@code taskHealthUpdated}). Both change {@code instance_health_changed_event}.
 *
 * <p>Unlike Marathon, until the first success a check repeats every {@value #EARLY_PERIOD_MILLIS} ms (or the
 * interval, if shorter) so deployments finish soon after the task is up. Interval 0 repeats after
 * {@value #FIRST_CHECK_MILLIS} ms; timeout 0 (Mesos: no timeout) waits up to {@value #LONGEST_PROBE_SECONDS} s, so a
 * probe never holds a checker thread for good.
 */
final class HealthMonitor {
  private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);
  static final long EARLY_PERIOD_MILLIS = 1000;
  static final long FIRST_CHECK_MILLIS = 200;
  static final long LONGEST_PROBE_SECONDS = 60;

  private final State state;
  private final Scheduler scheduler;
  private final ScheduledExecutorService checkers;
  private final HealthProbes probes;

  HealthMonitor(State state, Scheduler scheduler, ScheduledExecutorService checkers, HealthProbes probes) {
    this.state = state;
    this.scheduler = scheduler;
    this.checkers = checkers;
    this.probes = probes;
  }

  /** Schedules every check of the instance's current task; {@code env} is the task's, for COMMAND checks. */
  void start(Instance instance, Map<String, String> env) {
    long generation = instance.generation;
    List<Integer> ports = instance.effectivePorts;
    for (int i = 0; i < instance.health.size(); i++) {
      int index = i;
      AppSpec.HealthCheckSpec check = instance.health.get(i).check;
      HealthProbes.Target target = new HealthProbes.Target(state.settings.taskHost(), port(check, ports), env,
          scheduler.sandbox(instance.taskId));
      long first = check.byMesos() ? Math.max(FIRST_CHECK_MILLIS, (long) (check.delaySeconds() * 1000))
          : FIRST_CHECK_MILLIS;
      schedule(instance, index, generation, target, first);
    }
  }

  private static int port(AppSpec.HealthCheckSpec check, List<Integer> ports) {
    if (check.port() != null) return check.port();
    if (check.portIndex() != null && check.portIndex() < ports.size()) return ports.get(check.portIndex());
    return 0;
  }

  private void schedule(Instance instance, int index, long generation, HealthProbes.Target target, long delayMillis) {
    if (checkers.isShutdown()) return;
    AppSpec.HealthCheckSpec check = instance.health.get(index).check;
    checkers.schedule(() -> {
      String failure = probes.probe(check, target);
      state.actor.execute(() -> verdict(instance, index, generation, target, failure));
    }, delayMillis, TimeUnit.MILLISECONDS);
  }

  /** @param failure null for a pass, else the cause */
  private void verdict(Instance instance, int index, long generation, HealthProbes.Target target, String failure) {
    if (generation != instance.generation || !instance.running() || state.closing) return;
    Instance.HealthState h = instance.health.get(index);
    boolean byMesos = h.check.byMesos();
    Instant now = Instant.now();
    Boolean before = instance.healthy();
    Boolean wasAlive = h.alive;
    if (failure == null) {
      h.alive = true;
      h.consecutiveFailures = 0;
      h.lastSuccess = now;
      if (h.firstSuccess == null) h.firstSuccess = now;
    } else {
      boolean inGrace = h.firstSuccess == null
          && Duration.between(instance.startedAt, now).toMillis() < h.check.graceSeconds() * 1000;
      if (!inGrace) {
        h.alive = false;
        h.consecutiveFailures++;
        h.lastFailure = now;
        h.lastFailureCause = failure;
        // Only the checks Marathon runs itself report each failure (HealthCheckActor).
        if (!byMesos) {
          state.bus.publish(Events.failedHealthCheck(instance.appId, h.check.json(), instance.instanceId,
              !state.settings.marathon().version().atLeast(5)));
        }
      }
    }
    if (h.alive != null && !h.alive.equals(wasAlive)) {
      log.info("health: {} {} {} ({})", instance.appId, instance.taskId, h.alive ? "alive" : "dead",
          failure == null ? "passed" : failure);
      if (byMesos) {
        // The executor reports a health change as another TASK_RUNNING status update with the healthy flag.
        scheduler.publishStatus(instance);
      } else {
        state.bus.publish(Events.healthStatusChanged(instance.appId, instance.instanceId, instance.spec.version(),
            h.alive));
      }
    }
    Boolean after = instance.healthy();
    if (after != null && !after.equals(before)) {
      state.bus.publish(Events.instanceHealthChanged(instance.instanceId, instance.appId, after, instance.spec.version()));
    }
    if (failure != null && h.alive != null && !h.alive && tooManyFailures(h)) {
      if (!byMesos) {
        state.bus.publish(Events.unhealthyInstanceKill(instance.appId, instance.taskId, instance.instanceId,
            instance.spec.version(), failure, state.settings.taskHost(), state.agentId, h.lastFailure));
      }
      log.warn("unhealthy: {} {} failed {} checks in a row ({}), killing it", instance.appId, instance.taskId,
          h.consecutiveFailures, failure);
      scheduler.kill(instance, "unhealthy");
      return;
    }
    long period = Math.max(FIRST_CHECK_MILLIS, (long) (h.check.intervalSeconds() * 1000));
    long next = h.firstSuccess == null ? Math.min(period, EARLY_PERIOD_MILLIS) : period;
    schedule(instance, index, generation, target, next);
    scheduler.reconcileLater();
  }

  /**
   * {@code maxConsecutiveFailures} 0 means "never kill" for the checks Marathon runs, but Mesos kills once the failures
   * reach its {@code consecutive_failures}, so at the first one (API.md §3.4).
   */
  private static boolean tooManyFailures(Instance.HealthState h) {
    int max = h.check.maxConsecutiveFailures();
    return h.check.byMesos() ? h.consecutiveFailures >= max : max > 0 && h.consecutiveFailures >= max;
  }

}
