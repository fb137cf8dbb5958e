package mdo.devcluster;

import static mdo.devcluster.Harness.fields;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /v2/queue}, {@code DELETE /v2/queue/<app>/delay} and {@code /v2/groups}, in Marathon's shapes. */
class QueueAndGroupsTest {
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
  void aBackedOffInstanceIsQueuedWithItsDelayUntilTheDelayIsReset() {
    try (Harness.Recorder events = h.record("?event_type=status_update_event")) {
      h.post("/v2/apps", "{\"id\":\"/q/crashing\",\"cmd\":\"sleep 0.2; exit 1\",\"backoffSeconds\":60}");
      String first = events.next("status_update_event", d -> d.get("appId").asText().equals("/q/crashing")
          && d.get("taskStatus").asText().equals("TASK_FAILED")).data().get("taskId").asText();
      JsonNode entry = await().atMost(Duration.ofSeconds(10)).until(() -> h.queueEntry("/q/crashing"), e -> e != null);
      JsonNode reference = Harness.reference("queue_get_response.json").get("queue").get(1);
      Set<String> expected = fields(reference);
      expected.remove("lastUnusedOffers");
      assertThat(fields(entry)).containsAll(expected).contains("role");
      assertThat(entry.get("count").asInt()).isEqualTo(1);
      assertThat(entry.get("delay").get("overdue").asBoolean()).isFalse();
      assertThat(entry.get("delay").get("timeLeftSeconds").asLong()).isBetween(50L, 60L);
      assertThat(entry.get("since").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
      // lastUnusedOfferAt / lastUsedOfferAt are optional: no offer was processed in this launch attempt yet.
      assertThat(fields(entry.get("processedOffersSummary")))
          .isSubsetOf(fields(reference.get("processedOffersSummary")))
          .contains("processedOffersCount", "unusedOffersCount");
      assertThat(entry.get("app").get("id").asText()).isEqualTo("/q/crashing");

      Harness.Reply reset = h.call("DELETE", "/v2/queue/q/crashing/delay", null);
      assertThat(reset.code()).isEqualTo(204);
      assertThat(reset.body()).isEmpty();
      events.next("status_update_event", d -> d.get("appId").asText().equals("/q/crashing")
          && d.get("taskStatus").asText().equals("TASK_RUNNING") && !d.get("taskId").asText().equals(first));
    }
    h.call("DELETE", "/v2/apps/q/crashing", null);
  }

  @Test
  void resettingTheDelayOfAnAppWithNothingQueuedIs404() {
    h.deploy("{\"id\":\"/q/running\",\"cmd\":\"exec sleep 600\"}");
    assertThat(h.queueEntry("/q/running")).isNull();
    for (String app : List.of("/q/running", "/q/unknown")) {
      Harness.Reply reply = h.call("DELETE", "/v2/queue" + app + "/delay", null);
      assertThat(reply.code()).isEqualTo(404);
      assertThat(reply.json().get("message").asText()).isEqualTo("Application " + app + " not found in tasks queue.");
    }
    h.call("DELETE", "/v2/apps/q/running", null);
  }

  @Test
  void groupsAreBuiltFromAppIdsAndOutliveTheirLastApp() {
    h.post("/v2/apps", "{\"id\":\"/g/front\",\"cmd\":\"sleep 60\",\"instances\":0}");
    h.post("/v2/apps", "{\"id\":\"/g/back/db\",\"cmd\":\"sleep 60\",\"instances\":0}");
    h.post("/v2/apps", "{\"id\":\"/top\",\"cmd\":\"sleep 60\",\"instances\":0}");
    JsonNode root = h.get("/v2/groups");
    JsonNode reference = Harness.reference("groups_get_response.json");
    assertThat(fields(root)).containsAll(fields(reference)).contains("pods", "enforceRole");
    assertThat(root.get("id").asText()).isEqualTo("/");
    assertThat(ids(root.get("apps"))).contains("/top").doesNotContain("/g/front");
    JsonNode g = child(root, "/g");
    assertThat(fields(g)).containsAll(fields(reference.get("groups").get(0)));
    assertThat(ids(g.get("apps"))).containsExactly("/g/front");
    assertThat(ids(child(g, "/g/back").get("apps"))).containsExactly("/g/back/db");
    assertThat(g.get("apps").get(0).has("tasksRunning")).as("plain app definitions, as without app embeds").isFalse();

    JsonNode back = h.get("/v2/groups/g/back");
    assertThat(back.get("id").asText()).isEqualTo("/g/back");
    assertThat(ids(back.get("apps"))).containsExactly("/g/back/db");
    assertThat(h.get("/v2/groups/g?embed=group.groups").get("apps")).isEmpty();

    h.call("DELETE", "/v2/apps/g/back/db", null);
    JsonNode emptied = h.get("/v2/groups/g/back");
    assertThat(emptied.get("apps")).isEmpty();
    assertThat(emptied.get("version").asText()).isNotEqualTo(back.get("version").asText());
    Harness.Reply missing = h.call("GET", "/v2/groups/nowhere", null);
    assertThat(missing.code()).isEqualTo(404);
    assertThat(missing.json().get("message").asText()).isEqualTo("Group '/nowhere' does not exist");
    for (String app : List.of("/g/front", "/top")) h.call("DELETE", "/v2/apps" + app, null);
  }

  private static JsonNode child(JsonNode group, String id) {
    for (JsonNode g : group.get("groups")) if (g.get("id").asText().equals(id)) return g;
    throw new AssertionError("no group " + id + " in " + group);
  }

  private static List<String> ids(JsonNode apps) {
    List<String> out = new ArrayList<>();
    apps.forEach(a -> out.add(a.get("id").asText()));
    return out;
  }
}
