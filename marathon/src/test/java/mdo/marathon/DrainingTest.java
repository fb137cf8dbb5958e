package mdo.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import mdo.marathon.events.MarathonEvent;
import org.junit.jupiter.api.Test;

/** Which instances a scale-down kills: Marathon's {@code ScalingProposition} order, tasks from the recorded shape. */
class DrainingTest {
  static MarathonTask task(int n, String state, String startedAt) {
    ObjectNode t = Fixtures.task("/p/web", "p_web." + Fixtures.uuid(n), "10.0.0." + n, List.of(31000 + n),
        "2026-01-01T00:00:00.000Z", state);
    t.put("startedAt", startedAt).put("stagedAt", startedAt);
    return Fixtures.JSON.convertValue(t, MarathonTask.class);
  }

  static MarathonApp app(int instances, String killSelection) {
    ObjectNode app = Fixtures.bridgeApp("p", "web", "2026-01-01T00:00:00.000Z").put("instances", instances);
    if (killSelection != null) app.put("killSelection", killSelection);
    return MarathonApp.from(app);
  }

  static List<Integer> killed(MarathonApp app, List<MarathonTask> tasks) {
    return Draining.scaledDown(app, tasks).stream().map(t -> tasks.indexOf(t) + 1).toList();
  }

  @Test
  void notRunningFirstThenTheYoungestOrTheOldest() {
    List<MarathonTask> tasks = List.of(task(1, "TASK_RUNNING", "2026-01-01T00:00:01.000Z"),
        task(2, "TASK_RUNNING", "2026-01-01T00:00:09.000Z"), task(3, "TASK_STAGING", "2026-01-01T00:00:10.000Z"),
        task(4, "TASK_RUNNING", "2026-01-01T00:00:05.000Z"), task(5, "TASK_UNREACHABLE", "2026-01-01T00:00:02.000Z"));
    assertThat(killed(app(2, null), tasks)).containsExactly(5, 3, 2);
    assertThat(killed(app(2, "OLDEST_FIRST"), tasks)).containsExactly(5, 3, 1);
    assertThat(killed(app(5, null), tasks)).isEmpty();
  }

  static MarathonEvent.AppsChanged event(String type, String action) {
    return new MarathonEvent.AppsChanged(type, java.time.Instant.now(), List.of("/p/web"),
        action == null ? List.of() : List.of(new MarathonEvent.StepAction(action, "/p/web")));
  }

  /**
   * Listings and events are applied concurrently: a listing read before a scale began shows no deployment, and must not
   * make the scale's step, learnt meanwhile, forgotten.
   */
  @Test
  void aListingReadBeforeAScaleDoesNotForgetIt() {
    Draining draining = new Draining();
    List<MarathonTask> tasks = List.of(task(1, "TASK_RUNNING", "2026-01-01T00:00:01.000Z"),
        task(2, "TASK_RUNNING", "2026-01-01T00:00:09.000Z"));
    long before = System.nanoTime();
    draining.deployment(event("api_post_event", null));
    draining.deployment(event("deployment_info", "ScaleApplication"));

    assertThat(draining.stopping(app(2, null), tasks, before)).isEmpty();
    ObjectNode scaling = Fixtures.bridgeApp("p", "web", "2026-01-01T00:00:00.000Z").put("instances", 1);
    scaling.putArray("deployments").addObject().put("id", "d1");
    assertThat(draining.stopping(MarathonApp.from(scaling), tasks, System.nanoTime()))
        .containsExactly(tasks.get(1).id());

    // a listing read after the deployment ended forgets the step
    draining.stopping(app(1, null), tasks.subList(0, 1), System.nanoTime());
    assertThat(draining.stopping(MarathonApp.from(scaling), tasks, System.nanoTime())).isEmpty();
  }

  @Test
  void tasksAlreadyKillingCountAsGone() {
    List<MarathonTask> tasks = List.of(task(1, "TASK_RUNNING", "2026-01-01T00:00:01.000Z"),
        task(2, "TASK_KILLING", "2026-01-01T00:00:09.000Z"), task(3, "TASK_RUNNING", "2026-01-01T00:00:05.000Z"));
    assertThat(killed(app(1, null), tasks)).containsExactly(3);
  }
}
