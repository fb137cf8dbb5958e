package mdo.subscriber.callbacks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Callback counters on the subscriber's {@link MeterRegistry} (Prometheus names in brackets):
 * {@code mdo.callback.deliveries{outcome}} [mdo_callback_deliveries_total] with outcome delivered, retried (an attempt
 * failed and will be retried) or failed (every attempt failed); {@code mdo.callback.registrations.changes{action}}
 * [..._total] with created, refused, removed, orphaned; {@code mdo.callback.registrations} [gauge] active ones; and
 * {@code mdo.callback.delivery} [mdo_callback_delivery_seconds] per attempt.
 */
final class CallbackMetrics {
  private final MeterRegistry registry;
  private final Timer latency;

  CallbackMetrics(MeterRegistry registry, Supplier<Number> active) {
    this.registry = registry;
    this.latency = Timer.builder("mdo.callback.delivery").description("one callback delivery attempt")
        .publishPercentiles(0.5, 0.99).register(registry);
    Gauge.builder("mdo.callback.registrations", active, s -> s.get().doubleValue())
        .description("active callback registrations").strongReference(true).register(registry);
  }

  void delivery(String outcome) {
    Counter.builder("mdo.callback.deliveries").tag("outcome", outcome).register(registry).increment();
  }

  void registration(String action) {
    Counter.builder("mdo.callback.registrations.changes").tag("action", action).register(registry).increment();
  }

  void attempt(Duration d) {
    latency.record(d);
  }
}
