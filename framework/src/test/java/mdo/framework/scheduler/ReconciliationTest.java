package mdo.framework.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the scheduler asks the master about its tasks (Mesos' reconciliation.md). */
class ReconciliationTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  final Reconciliation r = new Reconciliation(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofMinutes(10));

  @Test
  void afterSubscribingEveryTaskIsAskedAboutAgainWithGrowingWaitsUntilAnswered() {
    r.subscribed(List.of("a", "b"), T0);

    assertThat(r.explicitDue(T0)).containsExactlyInAnyOrder("a", "b");
    assertThat(r.explicitDue(T0.plusSeconds(1))).as("within the first wait").isEmpty();
    r.answered("a");
    assertThat(r.explicitDue(T0.plusSeconds(2))).containsExactly("b");
    assertThat(r.explicitDue(T0.plusSeconds(5))).as("the wait doubled to 4 s").isEmpty();
    assertThat(r.explicitDue(T0.plusSeconds(6))).containsExactly("b");
    assertThat(r.explicitDue(T0.plusSeconds(14))).containsExactly("b");
    assertThat(r.explicitDue(T0.plusSeconds(23))).as("at most 10 s apart").isEmpty();
    assertThat(r.explicitDue(T0.plusSeconds(24))).containsExactly("b");
    assertThat(r.implicitDue(T0.plusSeconds(3600))).as("no implicit round while answers are missing").isFalse();

    r.forget("b");
    assertThat(r.done()).isTrue();
  }

  @Test
  void implicitReconciliationRunsEveryIntervalOnceExplicitAnswersAreIn() {
    r.subscribed(List.of(), T0);

    assertThat(r.explicitDue(T0)).isEmpty();
    assertThat(r.implicitDue(T0.plusSeconds(599))).isFalse();
    assertThat(r.implicitDue(T0.plusSeconds(600))).isTrue();
    assertThat(r.implicitDue(T0.plusSeconds(601))).isFalse();
    assertThat(r.implicitDue(T0.plusSeconds(1200))).isTrue();
  }
}
