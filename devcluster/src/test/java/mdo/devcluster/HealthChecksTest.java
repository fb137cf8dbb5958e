package mdo.devcluster;

import static mdo.devcluster.Harness.fields;
import static mdo.devcluster.Harness.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import mdo.testkit.Payloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HTTP, TCP and COMMAND health checks against real processes, and the events they cause. */
class HealthChecksTest {
  static Harness h;

  @BeforeAll
  static void start() {
    h = Harness.start();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @Test
  void aPassingHttpCheckMakesTheTaskHealthyAndFinishesTheDeployment() {
    try (Harness.Recorder events = h.record("")) {
      h.post("/v2/apps", """
          {"id":"/web/healthy","cmd":"exec python3 -m http.server --bind 127.0.0.1 $PORT0",
           "healthChecks":[{"protocol":"HTTP","path":"/","gracePeriodSeconds":10,"intervalSeconds":1,
                            "timeoutSeconds":1,"maxConsecutiveFailures":3}]}""");
      JsonNode instanceHealth = events.next("instance_health_changed_event",
          d -> d.get("runSpecId").asText().equals("/web/healthy")).data();
      assertThat(instanceHealth.get("healthy").asBoolean()).isTrue();
      assertThat(fields(instanceHealth)).isEqualTo(fields(parse(Payloads.marathon("events/instance_health_changed_event.json"))));
      events.next("deployment_success", d -> d.get("plan").get("steps").toString().contains("/web/healthy"));
      JsonNode alive = events.seen.stream().filter(e -> e.type().equals("health_status_changed_event")
          && e.data().get("appId").asText().equals("/web/healthy")).findFirst().orElseThrow().data();
      assertThat(fields(alive)).isEqualTo(fields(parse(Payloads.marathon("events/health_status_changed_event.json"))));
      assertThat(alive.get("alive").asBoolean()).isTrue();
      assertThat(alive.get("instanceId").asText()).isEqualTo(instanceHealth.get("instanceId").asText());
    }
    JsonNode app = h.get("/v2/apps/web/healthy").get("app");
    assertThat(app.get("tasksHealthy").asInt()).isEqualTo(1);
    assertThat(app.get("tasksUnhealthy").asInt()).isZero();
    JsonNode result = app.get("tasks").get(0).get("healthCheckResults").get(0);
    assertThat(fields(result)).containsExactlyInAnyOrder("alive", "consecutiveFailures", "firstSuccess",
        "lastSuccess", "lastFailure", "lastFailureCause", "instanceId");
    assertThat(result.get("alive").asBoolean()).isTrue();
  }

  @Test
  void tcpAndCommandChecksPass() {
    h.deploy("""
        {"id":"tcp-and-command","cmd":"exec python3 -m http.server --bind 127.0.0.1 $PORT0",
         "healthChecks":[{"protocol":"TCP","gracePeriodSeconds":10,"intervalSeconds":1,"timeoutSeconds":1},
                         {"protocol":"COMMAND","command":{"value":"test -n \\"$MESOS_TASK_ID\\""},"delaySeconds":1,
                          "intervalSeconds":1,"timeoutSeconds":1},
                         {"protocol":"MESOS_HTTP","path":"/","intervalSeconds":1,"timeoutSeconds":1,"delaySeconds":1}]}""");
    JsonNode app = h.get("/v2/apps/tcp-and-command").get("app");
    assertThat(app.get("tasksHealthy").asInt()).isEqualTo(1);
    assertThat(app.get("tasks").get(0).get("healthCheckResults")).hasSize(3);
  }

  @Test
  void anInstanceFailingItsChecksIsKilledAndRelaunched() {
    try (Harness.Recorder events = h.record("")) {
      h.post("/v2/apps", """
          {"id":"sick","cmd":"exec python3 -m http.server --bind 127.0.0.1 $PORT0",
           "healthChecks":[{"protocol":"HTTP","path":"/missing","gracePeriodSeconds":0,"intervalSeconds":1,
                            "timeoutSeconds":1,"maxConsecutiveFailures":2}]}""");
      JsonNode kill = events.next("unhealthy_instance_kill_event", d -> d.get("appId").asText().equals("/sick")).data();
      assertThat(fields(kill)).isEqualTo(fields(parse(Payloads.marathon("events/unhealthy_instance_kill_event.json"))));
      String taskId = kill.get("taskId").asText();
      assertThat(taskId).startsWith(kill.get("instanceId").asText()).endsWith("._app.1");
      assertThat(events.seen.stream().filter(e -> e.type().equals("failed_health_check_event")
          && e.data().get("taskId").asText().equals(kill.get("instanceId").asText()))).hasSize(2);
      events.next("status_update_event", d -> d.get("taskId").asText().equals(taskId)
          && d.get("taskStatus").asText().equals("TASK_KILLED"));
      events.next("status_update_event", d -> d.get("taskId").asText().equals(kill.get("instanceId").asText() + "._app.2")
          && d.get("taskStatus").asText().equals("TASK_RUNNING"));
    }
    try {
      JsonNode app = h.get("/v2/apps/sick").get("app");
      assertThat(app.get("deployments")).as("an unhealthy app never finishes deploying").hasSize(1);
    } finally {
      h.call("DELETE", "/v2/apps/sick", null);
    }
  }
}
