package mdo.devcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * TASK_KILLING and the Killing condition exist only with {@code --enable_features task_killing}; plain Marathon keeps
 * a task being killed TASK_RUNNING, with condition Running, until TASK_KILLED.
 */
class TaskKillingTest {
  /**
   * Ignores SIGTERM, so the kill lasts the whole grace period and the task can be looked at meanwhile; says so in its
   * sandbox once the trap is set, since a kill before that would end it at once.
   */
  private static final String STUBBORN = "{\"id\":\"/stubborn\",\"taskKillGracePeriodSeconds\":3,"
      + "\"cmd\":\"trap '' TERM; touch \\\"$MESOS_SANDBOX/trapped\\\"; while true; do sleep 0.1; done\"}";

  @Test
  void plainMarathonReportsNoKillingState() {
    try (Harness h = Harness.start()) {
      List<String> seen = killAndWatch(h, "TASK_RUNNING");
      assertThat(seen).doesNotContain("status TASK_KILLING", "condition Killing")
          .containsSubsequence("condition Running", "status TASK_KILLED", "condition Killed");
      assertThat(h.get("/v2/info").get("marathon_config").get("features")).isEmpty();
    }
  }

  @Test
  void withTheTaskKillingFeatureAKillGoesThroughKilling() {
    try (Harness h = Harness.start(s -> s.withMarathon(s.marathon().withFeatures(Set.of("task_killing"))))) {
      List<String> seen = killAndWatch(h, "TASK_KILLING");
      assertThat(seen).containsSubsequence("status TASK_KILLING", "condition Killing", "status TASK_KILLED",
          "condition Killed");
      assertThat(h.get("/v2/info").get("marathon_config").get("features").toString()).isEqualTo("[\"task_killing\"]");
    }
  }

  /**
   * Deletes the app's task with scale, checks what {@code /v2/tasks} shows while it is being killed, and returns the
   * statuses and conditions the task went through after the kill request.
   */
  private static List<String> killAndWatch(Harness h, String stateWhileKilled) {
    h.deploy(STUBBORN);
    String taskId = h.tasks("/stubborn").get(0).get("id").asText();
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(h.sandbox(taskId).resolve("trapped")));
    try (Harness.Recorder events = h.record("?event_type=status_update_event&event_type=instance_changed_event")) {
      assertThat(h.call("DELETE", "/v2/apps/stubborn/tasks/" + taskId + "?scale=true", null).code()).isEqualTo(200);
      JsonNode whileKilled = await().atMost(Duration.ofSeconds(5)).until(() -> h.tasks("/stubborn"),
          tasks -> !tasks.isEmpty()).get(0);
      assertThat(whileKilled.get("state").asText()).isEqualTo(stateWhileKilled);
      events.next("instance_changed_event", d -> d.get("condition").asText().equals("Killed"));
      return events.seen.stream()
          .filter(e -> e.type().equals("instance_changed_event") || e.data().get("taskId").asText().equals(taskId))
          .map(e -> e.type().equals("status_update_event") ? "status " + e.data().get("taskStatus").asText()
              : "condition " + e.data().get("condition").asText())
          .toList();
    }
  }
}
