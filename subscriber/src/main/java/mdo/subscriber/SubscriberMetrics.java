package mdo.subscriber;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import mdo.marathon.events.MarathonEvents;
import mdo.registry.store.BadData;
import mdo.registry.writer.RegistryWriter;
import mdo.registry.writer.ResyncResult;

/** The subscriber's Prometheus metrics (names in README.md). Also the writer's {@link RegistryWriter.Observer}. */
final class SubscriberMetrics implements RegistryWriter.Observer {
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Timer lag = Timer.builder("mdo_subscriber_event_lag")
      .description("from an event's arrival to its write being visible in etcd")
      .publishPercentileHistogram()
      .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
      .register(registry);
  private final Counter reconnects = Counter.builder("mdo_subscriber_stream_reconnects")
      .description("event stream (re)connections after the first").register(registry);
  private final Timer resyncDuration = Timer.builder("mdo_subscriber_resync_duration")
      .description("full resyncs against Marathon").register(registry);
  private final DistributionSummary diffSize = DistributionSummary.builder("mdo_subscriber_resync_diff_size")
      .description("records created, updated or deleted by one resync").register(registry);
  private final Counter overflows = Counter.builder("mdo_subscriber_queue_overflows")
      .description("times the event queue filled up and forced a resync").register(registry);
  private final Counter refreshCoalesced = Counter.builder("mdo_subscriber_app_refreshes_coalesced")
      .description("app refresh requests absorbed by one already waiting").register(registry);
  private final Counter clockAhead = Counter.builder("mdo_subscriber_clock_ahead")
      .description("events dated further ahead of this host's clock than the margin, clamped to now").register(registry);
  private final Map<BadData.Kind, AtomicInteger> badData = new EnumMap<>(BadData.Kind.class);

  SubscriberMetrics() {
    for (BadData.Kind kind : BadData.Kind.values()) {
      AtomicInteger n = new AtomicInteger();
      badData.put(kind, n);
      Gauge.builder("mdo_subscriber_registry_bad_values", n, AtomicInteger::get)
          .description("registry values the last resync skipped or replaced (kind: key, ordinal, json)")
          .tag("kind", kind.label()).register(registry);
    }
  }

  void gauges(Supplier<Number> connected, Supplier<Number> queueDepth, Supplier<Number> records) {
    Gauge.builder("mdo_subscriber_stream_connected", () -> connected.get()).register(registry);
    Gauge.builder("mdo_subscriber_queue_depth", () -> queueDepth.get()).register(registry);
    Gauge.builder("mdo_subscriber_records", () -> records.get()).register(registry);
  }

  /** Whether this subscriber leads, and the writes etcd refused because their term had ended. */
  void leadership(BooleanSupplier leading, LongSupplier fencedWrites) {
    Gauge.builder("mdo_subscriber_leader", () -> leading.getAsBoolean() ? 1 : 0)
        .description("1 while this subscriber leads its environment, 0 on a standby").register(registry);
    FunctionCounter.builder("mdo_subscriber_fenced_writes", fencedWrites, LongSupplier::getAsLong)
        .description("registry writes etcd refused because this subscriber's term had ended").register(registry);
  }

  /** {@code to}: {@code leader} (elected) or {@code standby} (deposed). */
  void transition(String to) {
    registry.counter("mdo_subscriber_leader_transitions", "to", to).increment();
  }

  private final Map<String, Counter> events = new ConcurrentHashMap<>();
  private static final java.util.Set<String> USED_TYPES = java.util.Set.copyOf(MarathonEvents.USED_TYPES);
  /** Outcome labels, made once: applying an event must not build them. */
  private static final String[] OUTCOME_LABELS = java.util.Arrays.stream(RegistryWriter.Outcome.values())
      .map(o -> o.name().toLowerCase()).toArray(String[]::new);

  /**
   * Counts an event under its type, or {@code other} for a type the registry does not use: the type comes from the
   * event's body, which for HTTP callbacks anyone could send, and every new label value would be a counter forever.
   */
  void event(String type, String outcome) {
    String t = type == null ? "unknown" : USED_TYPES.contains(type) ? type : "other";
    events.computeIfAbsent(t + '\0' + outcome,
        k -> registry.counter("mdo_subscriber_events", "type", t, "outcome", outcome)).increment();
  }

  @Override
  public void eventApplied(String type, RegistryWriter.Outcome outcome, long receivedNanos) {
    event(type, OUTCOME_LABELS[outcome.ordinal()]);
    if (outcome == RegistryWriter.Outcome.WRITTEN) lag.record(System.nanoTime() - receivedNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void etcdError(String what, RuntimeException e) {
    registry.counter("mdo_subscriber_etcd_errors", "op", what).increment();
  }

  @Override
  public void conflicts(int n) {
    registry.counter("mdo_subscriber_write_conflicts").increment(n);
  }

  @Override
  public void badData(BadData.Kind kind, int count) {
    badData.get(kind).set(count);
  }

  @Override
  public void clockAhead(int clamped) {
    clockAhead.increment(clamped);
  }

  /** An unexpected exception a loop caught and survived ({@code where}: resync, refresh, apply, probe, intake). */
  void internalError(String where) {
    registry.counter("mdo_subscriber_internal_errors", "where", where).increment();
  }

  /** A request refused before any route saw it (a web page's request, a foreign Host): by status. */
  void refused(int status) {
    registry.counter("mdo_subscriber_http_refused", "status", String.valueOf(status)).increment();
  }

  void reconnected() {
    reconnects.increment();
  }

  void overflow() {
    overflows.increment();
  }

  void refreshCoalesced() {
    refreshCoalesced.increment();
  }

  void refreshed(ResyncResult r) {
    registry.counter("mdo_subscriber_app_refreshes", "result", r.error() != null ? "failed" : "ok").increment();
  }

  void resynced(ResyncResult r) {
    String result = r.error() != null ? "failed" : r.refusedDeletes() > 0 ? "refused" : "ok";
    registry.counter("mdo_subscriber_resyncs", "result", result).increment();
    if (r.error() != null) return;
    resyncDuration.record(r.took());
    diffSize.record(r.writes());
    registry.counter("mdo_subscriber_resync_changes", "kind", "created").increment(r.created());
    registry.counter("mdo_subscriber_resync_changes", "kind", "updated").increment(r.updated());
    registry.counter("mdo_subscriber_resync_changes", "kind", "deleted").increment(r.deleted());
    registry.counter("mdo_subscriber_resync_changes", "kind", "refused").increment(r.refusedDeletes());
  }

  Timer lag() {
    return lag;
  }

  String scrape() {
    return registry.scrape();
  }
}
