package mdo.framework.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Marathon's launch delay: 1 s growing by 1.15 per failure up to 5 minutes, per service and configuration. */
class LaunchBackoffTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  final LaunchBackoff backoff = new LaunchBackoff(Duration.ofSeconds(1), 1.15, Duration.ofMinutes(5));

  @Test
  void eachFailureDelaysTheNextLaunchLonger() {
    assertThat(backoff.remaining("web", "v1", T0)).isZero();

    backoff.failed("web", "v1", T0, Duration.ofSeconds(2));
    assertThat(backoff.remaining("web", "v1", T0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.remaining("web", "v1", T0.plusSeconds(1))).isZero();

    backoff.failed("web", "v1", T0, Duration.ofSeconds(2));
    backoff.failed("web", "v1", T0, Duration.ofSeconds(2));
    assertThat(backoff.remaining("web", "v1", T0)).isEqualTo(Duration.ofMillis(1322)); // 1 s x 1.15^2, rounded
    assertThat(backoff.remaining("db", "v1", T0)).as("other services launch at once").isZero();
  }

  @Test
  void theDelayStopsAtTheMaximum() {
    for (int i = 0; i < 100; i++) backoff.failed("web", "v1", T0, Duration.ZERO);

    assertThat(backoff.remaining("web", "v1", T0)).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void aNewConfigurationOrATaskThatRanLongStartsAfresh() {
    for (int i = 0; i < 10; i++) backoff.failed("web", "v1", T0, Duration.ZERO);

    assertThat(backoff.remaining("web", "v2", T0)).as("the new configuration is not delayed").isZero();
    backoff.failed("web", "v1", T0, Duration.ofMinutes(10)); // ran longer than the maximum delay: not crash-looping
    assertThat(backoff.remaining("web", "v1", T0)).isEqualTo(Duration.ofSeconds(1));
  }
}
