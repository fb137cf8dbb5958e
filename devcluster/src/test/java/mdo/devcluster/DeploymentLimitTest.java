package mdo.devcluster;

import static mdo.devcluster.Harness.fields;
import static mdo.devcluster.Harness.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import mdo.testkit.Payloads;
import org.junit.jupiter.api.Test;

/**
 * {@code --max_running_deployments}: past the limit every change is refused with 403 and Marathon's message (not a
 * permissions 403, which carries "Not Authorized to perform this action!"), forced or not, with a
 * {@code group_change_failed} event, and nothing changes.
 */
class DeploymentLimitTest {
  /** Its health check never passes, so its deployment keeps running. */
  private static final String STUCK = "{\"id\":\"/limit/stuck\",\"cmd\":\"exec sleep 600\",\"healthChecks\":"
      + "[{\"protocol\":\"COMMAND\",\"command\":{\"value\":\"false\"},\"gracePeriodSeconds\":600,\"delaySeconds\":0,"
      + "\"maxConsecutiveFailures\":5}]}";

  @Test
  void pastTheLimitChangesAre403WithMarathonsMessageAndAnEvent() {
    try (Harness h = Harness.start(s -> s.withMarathon(s.marathon().withMaxRunningDeployments(1)))) {
      assertThat(h.get("/v2/info").get("marathon_config").get("max_running_deployments").asInt()).isEqualTo(1);
      assertThat(h.post("/v2/apps", STUCK).code()).isEqualTo(201);
      String expected = "Max number (1) of running deployments is achieved. Wait for existing deployments to complete"
          + " or cancel oneusing force=true parameter. You can increase max deployment number by using"
          + " --max_running_deployments parameter but be advised that this can have negative effects on the"
          + " performance.";
      try (Harness.Recorder events = h.record("?event_type=group_change_failed")) {
        Harness.Reply refused = h.post("/v2/apps", "{\"id\":\"/limit/other\",\"cmd\":\"sleep 60\"}");
        assertThat(refused.code()).isEqualTo(403);
        assertThat(refused.json()).isEqualTo(parse("{\"message\":" + Json.MAPPER.valueToTree(expected) + "}"));
        assertThat(fields(refused.json())).isEqualTo(fields(parse(Payloads.marathon("error_403_forbidden.json"))));
        assertThat(refused.json().get("message").asText())
            .isNotEqualTo(parse(Payloads.marathon("error_403_forbidden.json")).get("message").asText());
        JsonNode failed = events.next("group_change_failed").data();
        assertThat(fields(failed)).isEqualTo(fields(parse(Payloads.marathon("events/group_change_failed.json"))));
        assertThat(failed.get("groupId").asText()).isEqualTo("/limit");
        assertThat(failed.get("reason").asText()).isEqualTo(expected);
      }
      assertThat(h.call("GET", "/v2/apps/limit/other", null).code()).isEqualTo(404);
      Harness.Reply forced = h.call("PUT", "/v2/apps/limit/stuck?force=true", "{\"instances\":0}");
      assertThat(forced.code()).as("forcing does not get past the limit").isEqualTo(403);
      assertThat(h.get("/v2/apps/limit/stuck").get("app").get("instances").asInt()).isEqualTo(1);
      assertThat(h.call("DELETE", "/v2/apps/limit/stuck", null).code()).isEqualTo(403);

      String deployment = h.get("/v2/deployments").get(0).get("id").asText();
      assertThat(h.call("DELETE", "/v2/deployments/" + deployment + "?force=true", null).code()).isEqualTo(202);
      assertThat(h.post("/v2/apps", "{\"id\":\"/limit/other\",\"cmd\":\"sleep 60\",\"instances\":0}").code())
          .isEqualTo(201);
    }
  }

  @Test
  void marathon15And16WordedItWithoutTheForceHint() {
    try (Harness h = Harness.start(s -> s.withMarathon(MarathonFlags.defaults(MarathonVersion.parse("1.6"))
        .withMaxRunningDeployments(1)))) {
      h.post("/v2/apps", STUCK);
      Harness.Reply refused = h.post("/v2/apps", "{\"id\":\"/limit/other\",\"cmd\":\"sleep 60\"}");
      assertThat(refused.code()).isEqualTo(403);
      assertThat(refused.json().get("message").asText()).startsWith("Max number (1) of running deployments is"
          + " achieved. Wait for existing deployments to complete or cancel one.You can increase");
    }
  }
}
