package mdo.devcluster;

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

/**
 * Rolling upgrades within {@code upgradeStrategy}, counted as Marathon's TaskReplaceActor counts them, on the dev
 * cluster's single agent, where fixed host ports and {@code hostname:UNIQUE} keep a new instance off the host while
 * the old one runs.
 */
class UpgradeStrategyTest {
  static Harness h;

  @BeforeAll
  static void start() {
    h = Harness.start();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  private static String hardPortApp(String id, int port, String cmd, String strategy) {
    return "{\"id\":\"" + id + "\",\"cmd\":\"" + cmd + "\",\"requirePorts\":true,"
        + "\"portDefinitions\":[{\"port\":" + port + ",\"name\":\"client\"}],\"constraints\":[[\"hostname\",\"UNIQUE\"]]"
        + (strategy == null ? "" : ",\"upgradeStrategy\":" + strategy) + "}";
  }

  /**
   * The default (1 / 1) kills no old instance before a new one is healthy; the new one needs the port and the host
   * the old one holds, so the restart waits forever, as on a Marathon cluster with as many agents as instances.
   * minimumHealthCapacity 0 / maximumOverCapacity 0 kills first and then starts, so it gets through.
   */
  @Test
  void theDefaultStrategyStallsAHardPortUniqueAppAndZeroCapacityGetsThrough() {
    int port = Harness.freeAgentPort();
    h.deploy(hardPortApp("/zk", port, "exec sleep 600", null));
    String oldTask = h.tasks("/zk").get(0).get("id").asText();
    assertThat(h.get("/v2/apps/zk").get("app").get("upgradeStrategy").toString())
        .isEqualTo("{\"minimumHealthCapacity\":1.0,\"maximumOverCapacity\":1.0}");

    Harness.Reply restart = h.call("PUT", "/v2/apps/zk", "{\"cmd\":\"exec sleep 601\"}");
    assertThat(restart.code()).isEqualTo(200);
    // Two declined offers in a row: it keeps waiting, and says why.
    JsonNode waiting = await().atMost(Duration.ofSeconds(20)).until(() -> h.queueEntry("/zk"),
        e -> e != null && e.get("processedOffersSummary").get("unusedOffersCount").asInt() >= 2);
    assertThat(waiting.get("count").asInt()).isEqualTo(1);
    assertThat(declined(waiting, "rejectSummaryLastOffers")).containsExactly("UnfulfilledConstraint");
    List<JsonNode> tasks = h.tasks("/zk");
    assertThat(tasks).hasSize(1);
    assertThat(tasks.get(0).get("id").asText()).as("the old instance is not killed").isEqualTo(oldTask);
    assertThat(tasks.get(0).get("state").asText()).isEqualTo("TASK_RUNNING");
    assertThat(h.get("/v2/apps/zk").get("app").get("deployments")).as("the deployment stays open").hasSize(1);

    try (Harness.Recorder events = h.record("?event_type=status_update_event")) {
      Harness.Reply unblock = h.call("PUT", "/v2/apps/zk?force=true", "{\"cmd\":\"exec sleep 602\","
          + "\"upgradeStrategy\":{\"minimumHealthCapacity\":0,\"maximumOverCapacity\":0}}");
      assertThat(unblock.code()).isEqualTo(200);
      JsonNode started = events.next("status_update_event", d -> d.get("appId").asText().equals("/zk")
          && !d.get("taskId").asText().equals(oldTask) && d.get("taskStatus").asText().equals("TASK_RUNNING")).data();
      assertThat(started.get("ports").get(0).asInt()).isEqualTo(port);
      List<String> order = events.seen.stream().filter(e -> e.data().get("appId").asText().equals("/zk"))
          .map(e -> (e.data().get("taskId").asText().equals(oldTask) ? "old " : "new ")
              + e.data().get("taskStatus").asText()).toList();
      assertThat(order.indexOf("old TASK_KILLED")).as(order.toString()).isNotNegative()
          .isLessThan(order.indexOf("new TASK_RUNNING"));
    }
    h.awaitNoDeployments("/zk");
    assertThat(h.queueEntry("/zk")).isNull();
    h.call("DELETE", "/v2/apps/zk", null);
  }

  /**
   * 0.5 / 0 does not help a single hard-port instance: one healthy instance must stay (ceil(0.5)), and the one
   * instance of over-capacity Marathon then allows cannot be placed next to it.
   */
  @Test
  void halfHealthCapacityStillStallsASingleHardPortInstance() {
    int port = Harness.freeAgentPort();
    h.deploy(hardPortApp("/single", port, "exec sleep 600",
        "{\"minimumHealthCapacity\":0.5,\"maximumOverCapacity\":0}"));
    String oldTask = h.tasks("/single").get(0).get("id").asText();
    assertThat(h.call("PATCH", "/v2/apps/single", "{\"cmd\":\"exec sleep 601\"}").code()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(20)).until(() -> h.queueEntry("/single"),
        e -> e != null && e.get("processedOffersSummary").get("unusedOffersCount").asInt() >= 2);
    assertThat(h.tasks("/single")).extracting(t -> t.get("id").asText()).containsExactly(oldTask);
    assertThat(h.get("/v2/apps/single").get("app").get("deployments")).hasSize(1);
    h.call("DELETE", "/v2/apps/single", null);
  }

  /** The default with dynamic ports: every new instance runs before the first old one is killed. */
  @Test
  void theDefaultStartsAllNewInstancesBeforeKillingAnOldOne() {
    List<String> order = restart("/roll-default", 2, null);
    assertThat(order.subList(0, 2)).as(order.toString()).containsExactly("new TASK_RUNNING", "new TASK_RUNNING");
    assertThat(order.subList(2, 4)).containsExactly("old TASK_KILLED", "old TASK_KILLED");
  }

  /** 0.5 / 0 with two instances: one old goes, one new comes, then the other old goes and the other new comes. */
  @Test
  void halfHealthCapacityAndNoOverCapacityKillsOneThenStartsOne() {
    List<String> order = restart("/roll-half", 2, "{\"minimumHealthCapacity\":0.5,\"maximumOverCapacity\":0}");
    assertThat(order).containsExactly("old TASK_KILLED", "new TASK_RUNNING", "old TASK_KILLED", "new TASK_RUNNING");
  }

  /** Deploys, changes the command, and returns the RUNNING of new tasks and KILLED of old ones in event order. */
  private static List<String> restart(String id, int instances, String strategy) {
    h.deploy("{\"id\":\"" + id + "\",\"cmd\":\"exec sleep 600\",\"instances\":" + instances
        + (strategy == null ? "" : ",\"upgradeStrategy\":" + strategy) + "}");
    Set<String> oldTasks = Set.copyOf(h.tasks(id).stream().map(t -> t.get("id").asText()).toList());
    List<String> order = new ArrayList<>();
    try (Harness.Recorder events = h.record("?event_type=status_update_event&event_type=deployment_success")) {
      assertThat(h.call("PATCH", "/v2/apps" + id, "{\"cmd\":\"exec sleep 601\"}").code()).isEqualTo(200);
      events.next("deployment_success", d -> d.get("plan").toString().contains("\"" + id + "\""));
      for (Harness.Recorder.Event e : events.seen) {
        if (!e.type().equals("status_update_event") || !e.data().get("appId").asText().equals(id)) continue;
        String status = e.data().get("taskStatus").asText();
        boolean old = oldTasks.contains(e.data().get("taskId").asText());
        if ((old && status.equals("TASK_KILLED")) || (!old && status.equals("TASK_RUNNING"))) {
          order.add((old ? "old " : "new ") + status);
        }
      }
    }
    h.call("DELETE", "/v2/apps" + id, null);
    return order;
  }

  @Test
  void strategiesAreReadAsMarathonsRamlReaderReadsThem() {
    Harness.Reply half = h.post("/v2/apps", "{\"id\":\"half-strategy\",\"cmd\":\"sleep 1\","
        + "\"upgradeStrategy\":{\"minimumHealthCapacity\":0.5}}");
    assertThat(half.code()).isEqualTo(422);
    assertThat(half.json().get("message").asText()).isEqualTo("Invalid JSON");
    assertThat(half.json().get("details").toString())
        .isEqualTo("[{\"path\":\"/upgradeStrategy/maximumOverCapacity\",\"errors\":[\"error.path.missing\"]}]");

    Harness.Reply outOfRange = h.post("/v2/apps", "{\"id\":\"bad-strategy\",\"cmd\":\"sleep 1\","
        + "\"upgradeStrategy\":{\"minimumHealthCapacity\":1.5,\"maximumOverCapacity\":-0.5}}");
    assertThat(outOfRange.code()).isEqualTo(422);
    assertThat(outOfRange.json().get("details").toString())
        .contains("{\"path\":\"/upgradeStrategy/minimumHealthCapacity\",\"errors\":[\"error.max\"]}")
        .contains("{\"path\":\"/upgradeStrategy/maximumOverCapacity\",\"errors\":[\"error.min\"]}");
    assertThat(h.call("GET", "/v2/apps/bad-strategy", null).code()).isEqualTo(404);
  }

  private static List<String> declined(JsonNode entry, String summary) {
    List<String> reasons = new ArrayList<>();
    for (JsonNode step : entry.get("processedOffersSummary").get(summary)) {
      if (step.get("declined").asInt() > 0) reasons.add(step.get("reason").asText());
    }
    return reasons;
  }
}
