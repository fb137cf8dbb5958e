package mdo.framework.scheduler;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/** The scheduler's Prometheus metrics (names in framework/README.md). */
public final class SchedulerMetrics {
  private final MeterRegistry registry;
  private final Counter offersReceived;
  private final Counter offersDeclined;
  private final Counter offersAccepted;
  private final Counter offersRescinded;
  private final Counter launched;
  private final Counter kills;
  private final Counter failures;
  private final Timer launchLatency;
  private final MultiGauge pending;
  private final MultiGauge tasks;
  private final Map<String, Counter> updates = new ConcurrentHashMap<>();
  private volatile Map<String, PendingRow> lastPending = Map.of();
  private volatile Map<String, Integer> lastStates = Map.of();

  /** Tasks of a service waiting to launch, and why. */
  record PendingRow(int count, String reason) {}

  public SchedulerMetrics(MeterRegistry registry) {
    this.registry = registry;
    offersReceived = Counter.builder("mdo_framework_offers_received").description("offers the master sent")
        .register(registry);
    offersDeclined = Counter.builder("mdo_framework_offers_declined").description("offers declined (nothing fit"
        + " or nothing was waiting)").register(registry);
    offersAccepted = Counter.builder("mdo_framework_offers_accepted").description("offers used by an ACCEPT")
        .register(registry);
    offersRescinded = Counter.builder("mdo_framework_offers_rescinded").description("offers the master took back")
        .register(registry);
    launched = Counter.builder("mdo_framework_tasks_launched").description("tasks sent to Mesos in an ACCEPT")
        .register(registry);
    kills = Counter.builder("mdo_framework_kills").description("KILL calls sent (retries included)")
        .register(registry);
    failures = Counter.builder("mdo_framework_task_failures").description("tasks that ended without being asked to"
        + " (failed, lost, gone, killed by a health check)").register(registry);
    launchLatency = Timer.builder("mdo_framework_launch_latency").description("from the ACCEPT to TASK_RUNNING")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(10)).maximumExpectedValue(Duration.ofMinutes(10))
        .register(registry);
    pending = MultiGauge.builder("mdo_framework_pending_tasks")
        .description("tasks waiting for a place or a launch delay, by service and reason").register(registry);
    tasks = MultiGauge.builder("mdo_framework_tasks").description("the scheduler's tasks by Mesos state")
        .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  void offersReceived(int n) {
    offersReceived.increment(n);
  }

  void offersDeclined(int n) {
    offersDeclined.increment(n);
  }

  void offersAccepted(int n) {
    offersAccepted.increment(n);
  }

  void offerRescinded() {
    offersRescinded.increment();
  }

  void launched(int n) {
    launched.increment(n);
  }

  void killSent() {
    kills.increment();
  }

  void failure() {
    failures.increment();
  }

  void launchLatency(Duration d) {
    launchLatency.record(d);
  }

  void update(String state) {
    updates.computeIfAbsent(state, s -> Counter.builder("mdo_framework_status_updates")
        .description("status updates received, by state").tag("state", s).register(registry)).increment();
  }

  /** Replaces the pending gauges when they changed: one row per waiting service. */
  void pending(Map<String, PendingRow> rows) {
    if (Objects.equals(rows, lastPending)) return;
    lastPending = Map.copyOf(rows);
    List<MultiGauge.Row<?>> out = new ArrayList<>();
    rows.forEach((service, row) -> out.add(MultiGauge.Row.of(Tags.of("service", service, "reason", row.reason()),
        row.count())));
    pending.register(out, true);
  }

  void states(Map<String, Integer> counts) {
    if (Objects.equals(counts, lastStates)) return;
    lastStates = Map.copyOf(counts);
    List<MultiGauge.Row<?>> out = new ArrayList<>();
    counts.forEach((state, n) -> out.add(MultiGauge.Row.of(Tags.of("state", state), n)));
    tasks.register(out, true);
  }
}
