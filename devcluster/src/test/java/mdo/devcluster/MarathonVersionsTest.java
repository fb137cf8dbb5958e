package mdo.devcluster;

import static mdo.devcluster.Harness.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import mdo.testkit.Payloads;
import org.junit.jupiter.api.Test;

/** What changes with {@code --marathon-version}, each checked against the release that changed it. */
class MarathonVersionsTest {
  private static Harness release(String version) {
    return Harness.start(s -> s.withMarathon(MarathonFlags.defaults(MarathonVersion.parse(version))));
  }

  @Test
  void unknownRoutesAre404WithThePathUpTo15And500From16() {
    try (Harness old = release("1.5"); Harness current = release("1.6")) {
      Harness.Reply before = old.call("GET", "/v2/nothing-here", null);
      assertThat(before.code()).isEqualTo(404);
      assertThat(before.json()).isEqualTo(parse("{\"message\":\"URI not found: /v2/nothing-here\"}"));
      Harness.Reply after = current.call("GET", "/v2/nothing-here", null);
      assertThat(after.code()).isEqualTo(500);
      assertThat(after.json()).isEqualTo(parse("{\"message\":\"URI not found\"}"));
    }
  }

  /** 1.4 serves it only with --event_subscriber http_callback; 1.5 removed it, so it is an unknown route. */
  @Test
  void eventSubscriptionsNeedTheCallbackBusOn14AndAreGoneFrom15() {
    try (Harness v14 = release("1.4"); Harness v15 = release("1.5"); Harness v110 = release("1.10")) {
      for (String method : new String[] {"GET", "POST", "DELETE"}) {
        Harness.Reply off = v14.call(method, "/v2/eventSubscriptions?callbackUrl=http://127.0.0.1:9/x", null);
        assertThat(off.code()).as(method).isEqualTo(400);
        assertThat(off.json().get("message").asText()).isEqualTo("http event callback system is not running on this"
            + " Marathon instance. Please re-start this instance with\n\"--event_subscriber http_callback\".");
      }
      Harness.Reply removed = v15.call("GET", "/v2/eventSubscriptions", null);
      assertThat(removed.code()).isEqualTo(404);
      assertThat(removed.json().get("message").asText()).isEqualTo("URI not found: /v2/eventSubscriptions");
      Harness.Reply unknown = v110.post("/v2/eventSubscriptions?callbackUrl=http://127.0.0.1:9/x", null);
      assertThat(unknown.code()).isEqualTo(500);
      assertThat(unknown.json().get("message").asText()).isEqualTo("URI not found");
      assertThat(v14.get("/v2/info").get("event_subscriber").isNull()).isTrue();
      assertThat(v110.get("/v2/info").has("event_subscriber")).isFalse();
    }
    assertThatThrownBy(() -> MarathonFlags.defaults(MarathonVersion.parse("1.5")).withHttpCallbacks(true))
        .hasMessageContaining("up to Marathon 1.4 only");
  }

  /** 1.4 refused type errors with 400 and checked bounds in its model validator; 1.5+ reads with RAML (422). */
  @Test
  void marathon14AnswersTypeErrorsWith400AndBoundsWithItsValidatorsWords() {
    try (Harness v14 = release("1.4")) {
      Harness.Reply types = v14.post("/v2/apps", "{\"id\":\"t\",\"cmd\":\"sleep 1\",\"cpus\":\"lots\"}");
      assertThat(types.code()).isEqualTo(400);
      assertThat(types.json().get("message").asText()).isEqualTo("Invalid JSON");
      Harness.Reply bounds = v14.post("/v2/apps", "{\"id\":\"b\",\"cmd\":\"sleep 1\",\"instances\":-1,"
          + "\"upgradeStrategy\":{\"minimumHealthCapacity\":1.2,\"maximumOverCapacity\":1}}");
      assertThat(bounds.code()).isEqualTo(422);
      assertThat(bounds.json().get("message").asText()).isEqualTo("Object is not valid");
      assertThat(bounds.json().get("details").toString())
          .contains("{\"path\":\"/instances\",\"errors\":[\"got -1, expected 0 or more\"]}")
          .contains("{\"path\":\"/upgradeStrategy/minimumHealthCapacity\","
              + "\"errors\":[\"got 1.2, expected between 0.0 and 1.0\"]}");
      JsonNode app = v14.post("/v2/apps", "{\"id\":\"one\",\"cmd\":\"x\",\"instances\":0}").json();
      assertThat(app.has("uris")).as("1.4 still writes uris").isTrue();
      assertThat(app.get("maxLaunchDelaySeconds").asInt()).isEqualTo(3600);
      assertThat(v14.get("/v2/info").get("version").asText()).isEqualTo("1.4.0");
    }
  }

  /** Up to 1.7 task ids are {@code <app>.<uuid>} and a relaunch is a new instance; 1.8 made instance ids stable. */
  @Test
  void taskIdsAndRelaunchesFollowTheRelease() {
    try (Harness v17 = release("1.7"); Harness.Recorder events = v17.record("?event_type=status_update_event")) {
      v17.post("/v2/apps", "{\"id\":\"/legacy/app\",\"cmd\":\"sleep 0.3; exit 1\",\"backoffSeconds\":1,"
          + "\"backoffFactor\":1}");
      String first = events.next("status_update_event", d -> d.get("taskStatus").asText().equals("TASK_FAILED"))
          .data().get("taskId").asText();
      assertThat(first).matches("legacy_app\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
      String second = events.next("status_update_event", d -> d.get("taskStatus").asText().equals("TASK_RUNNING")
          && !d.get("taskId").asText().equals(first)).data().get("taskId").asText();
      assertThat(second).matches("legacy_app\\.[0-9a-f-]{36}");
      assertThat(v17.get("/v2/apps/legacy/app").get("app").get("maxLaunchDelaySeconds").asInt()).isEqualTo(3600);
    }
    try (Harness v18 = release("1.8")) {
      JsonNode app = v18.deploy("{\"id\":\"/stable/app\",\"cmd\":\"exec sleep 60\"}");
      assertThat(app.get("maxLaunchDelaySeconds").asInt()).isEqualTo(300);
      assertThat(v18.tasks("/stable/app").get(0).get("id").asText())
          .matches("stable_app\\.instance-[0-9a-f-]{36}\\._app\\.1");
    }
  }

  /**
   * Up to 1.7 a launch is reported as TASK_STAGING with condition Created; from 1.8 a scheduled instance is announced
   * (Scheduled, no agent), then Provisioned, and Mesos sends no TASK_STAGING.
   */
  @Test
  void launchEventsFollowTheRelease() {
    try (Harness v17 = release("1.7");
         Harness.Recorder events = v17.record("?event_type=status_update_event&event_type=instance_changed_event")) {
      v17.post("/v2/apps", "{\"id\":\"/seen\",\"cmd\":\"exec sleep 60\"}");
      events.next("instance_changed_event", d -> d.get("condition").asText().equals("Running"));
      assertThat(conditions(events)).containsExactly("status TASK_STAGING", "Created", "status TASK_STARTING",
          "Starting", "status TASK_RUNNING", "Running");
    }
    try (Harness v18 = release("1.8");
         Harness.Recorder events = v18.record("?event_type=status_update_event&event_type=instance_changed_event")) {
      v18.post("/v2/apps", "{\"id\":\"/seen\",\"cmd\":\"exec sleep 60\"}");
      events.next("instance_changed_event", d -> d.get("condition").asText().equals("Running"));
      assertThat(conditions(events)).containsExactly("Scheduled", "Provisioned", "status TASK_STARTING", "Starting",
          "status TASK_RUNNING", "Running");
      JsonNode scheduled = events.seen.get(0).data();
      assertThat(scheduled.get("agentId").isNull()).isTrue();
      assertThat(scheduled.get("host").isNull()).isTrue();
      assertThat(Harness.fields(scheduled))
          .isEqualTo(Harness.fields(parse(Payloads.marathon("events/instance_changed_event.json"))));
    }
  }

  private static java.util.List<String> conditions(Harness.Recorder events) {
    return events.seen.stream().map(e -> e.type().equals("status_update_event")
        ? "status " + e.data().get("taskStatus").asText() : e.data().get("condition").asText()).toList();
  }

  /** 1.4's failed_health_check_event has the instance id under instanceId; 1.5+ under taskId. */
  @Test
  void failedHealthCheckEventsNameTheInstanceAsTheReleaseDid() {
    for (String version : new String[] {"1.4", "1.5"}) {
      try (Harness h = release(version); Harness.Recorder events = h.record("?event_type=failed_health_check_event")) {
        // A Marathon-run TCP check on a port nothing listens on; 0 failures allowed means it is never killed.
        h.post("/v2/apps", "{\"id\":\"/sick\",\"cmd\":\"exec sleep 60\",\"healthChecks\":[{\"protocol\":\"TCP\","
            + "\"gracePeriodSeconds\":0,\"intervalSeconds\":1,\"timeoutSeconds\":1,\"maxConsecutiveFailures\":0}]}");
        JsonNode failed = events.next("failed_health_check_event").data();
        String key = version.equals("1.4") ? "instanceId" : "taskId";
        assertThat(Harness.fields(failed)).as(version).contains(key)
            .doesNotContain(version.equals("1.4") ? "taskId" : "instanceId");
        assertThat(failed.get(key).asText()).matches("sick\\.marathon-[0-9a-f-]{36}");
      }
    }
  }

  @Test
  void featuresAreCheckedAsTheReleaseChecksThem() {
    assertThat(MarathonFlags.defaults(MarathonVersion.parse("1.7")).withFeatures(Set.of("maintenance_mode"))
        .features()).containsExactly("maintenance_mode");
    assertThatThrownBy(() -> MarathonFlags.defaults(MarathonVersion.parse("1.8")).withFeatures(Set.of("maintenance_mode")))
        .hasMessageContaining("unknown feature(s) maintenance_mode");
    assertThatThrownBy(() -> MarathonVersion.parse("2.0")).hasMessageContaining("1.4 to 1.11");
  }
}
