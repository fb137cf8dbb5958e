package mdo.devcluster;

import static mdo.devcluster.Harness.fields;
import static mdo.devcluster.Harness.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
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

  /**
   * Mesos waits delaySeconds after TASK_RUNNING before its first check (HealthCheck.delay_seconds); Marathon's own
   * HTTP check has no delay, whatever delaySeconds says.
   */
  @Test
  void delaySecondsHoldsBackOnlyTheChecksMesosRuns() {
    try (Harness.Recorder events = h.record("?event_type=status_update_event&event_type=instance_health_changed_event")) {
      h.post("/v2/apps", """
          {"id":"/delayed/mesos","cmd":"exec python3 -m http.server --bind 127.0.0.1 $PORT0",
           "healthChecks":[{"protocol":"MESOS_TCP","gracePeriodSeconds":30,"intervalSeconds":1,"timeoutSeconds":1,
                            "delaySeconds":3}]}""");
      h.post("/v2/apps", """
          {"id":"/delayed/marathon","cmd":"exec python3 -m http.server --bind 127.0.0.1 $PORT0",
           "healthChecks":[{"protocol":"HTTP","gracePeriodSeconds":30,"intervalSeconds":1,"timeoutSeconds":1,
                            "delaySeconds":60}]}""");
      Instant running = Instant.parse(events.next("status_update_event", d -> d.get("appId").asText()
          .equals("/delayed/mesos") && d.get("taskStatus").asText().equals("TASK_RUNNING")).data().get("timestamp")
          .asText());
      events.next("instance_health_changed_event", d -> d.get("runSpecId").asText().equals("/delayed/marathon")
          && d.get("healthy").asBoolean(), Duration.ofSeconds(40));
      Instant healthy = Instant.parse(events.next("instance_health_changed_event", d -> d.get("runSpecId").asText()
          .equals("/delayed/mesos") && d.get("healthy").asBoolean()).data().get("timestamp").asText());
      // Server-side timestamps, millisecond precision: the first check runs 3 s after TASK_RUNNING at the earliest.
      assertThat(Duration.between(running, healthy).toMillis()).isGreaterThanOrEqualTo(2999);
      long runningUpdates = events.seen.stream().filter(e -> e.type().equals("status_update_event")
          && e.data().get("appId").asText().equals("/delayed/mesos")
          && e.data().get("taskStatus").asText().equals("TASK_RUNNING")).count();
      assertThat(runningUpdates).as("the health change comes as another TASK_RUNNING update").isEqualTo(2);
    } finally {
      h.call("DELETE", "/v2/apps/delayed/mesos", null);
      h.call("DELETE", "/v2/apps/delayed/marathon", null);
    }
  }

  /**
   * A failing Mesos check kills at once with maxConsecutiveFailures 0, and none of the events Marathon sends for its
   * own checks (failed_health_check_event, health_status_changed_event, unhealthy_instance_kill_event) appear.
   */
  @Test
  void aFailingMesosCheckKillsWithoutMarathonsHealthEvents() {
    try (Harness.Recorder events = h.record("")) {
      h.post("/v2/apps", """
          {"id":"/mesos-sick","cmd":"exec sleep 60",
           "healthChecks":[{"protocol":"COMMAND","command":{"value":"false"},"gracePeriodSeconds":0,
                            "intervalSeconds":1,"delaySeconds":0,"maxConsecutiveFailures":0}]}""");
      JsonNode killed = events.next("status_update_event", d -> d.get("appId").asText().equals("/mesos-sick")
          && d.get("taskStatus").asText().equals("TASK_KILLED")).data();
      String instanceId = killed.get("taskId").asText().replace("._app.1", "");
      events.next("status_update_event", d -> d.get("taskId").asText().equals(instanceId + "._app.2")
          && d.get("taskStatus").asText().equals("TASK_RUNNING"));
      assertThat(events.types()).contains("instance_health_changed_event")
          .doesNotContain("failed_health_check_event", "health_status_changed_event", "unhealthy_instance_kill_event");
    } finally {
      h.call("DELETE", "/v2/apps/mesos-sick", null);
    }
  }

  /** healthCheck.raml allows intervalSeconds 0 and any timeoutSeconds; the check still runs. */
  @Test
  void intervalAndTimeoutZeroAreAcceptedAndChecked() {
    Harness.Reply created = h.post("/v2/apps", """
        {"id":"/zero-interval","cmd":"exec python3 -m http.server --bind 127.0.0.1 $PORT0",
         "healthChecks":[{"protocol":"MESOS_TCP","intervalSeconds":0,"timeoutSeconds":0,"delaySeconds":0}]}""");
    assertThat(created.code()).as(created.body()).isEqualTo(201);
    JsonNode check = created.json().get("healthChecks").get(0);
    assertThat(check.get("intervalSeconds").asInt()).isZero();
    assertThat(check.get("timeoutSeconds").asInt()).isZero();
    h.awaitNoDeployments("/zero-interval");
    assertThat(h.get("/v2/apps/zero-interval").get("app").get("tasksHealthy").asInt()).isEqualTo(1);
    h.call("DELETE", "/v2/apps/zero-interval", null);
  }
}
