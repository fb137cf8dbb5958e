package mdo.devcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Host networking ports as Marathon assigns them and Mesos offers them: service ports from 10000-20000 for
 * {@code port: 0}, and with {@code requirePorts} that exact number as the host port, which an agent whose ports
 * resource lacks it never offers.
 */
class HostPortsTest {
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
  void portZeroGetsAServicePortAndTheSameOneWhenTheAppIsSentAgain() {
    JsonNode app = h.deploy("{\"id\":\"/svc/web\",\"cmd\":\"exec sleep 600\","
        + "\"portDefinitions\":[{\"port\":0,\"name\":\"http\"},{\"port\":0,\"name\":\"admin\"}]}");
    int http = app.get("portDefinitions").get(0).get("port").asInt();
    int admin = app.get("portDefinitions").get(1).get("port").asInt();
    assertThat(http).isBetween(10000, 20000);
    assertThat(admin).isBetween(10000, 20000).isNotEqualTo(http);
    JsonNode task = h.tasks("/svc/web").get(0);
    assertThat(task.get("servicePorts").toString()).isEqualTo("[" + http + "," + admin + "]");
    assertThat(task.get("ports").get(0).asInt()).as("the host port is a dynamic one")
        .isBetween(Harness.AGENT_PORTS_START, Harness.AGENT_PORTS_END);

    // What mdo sends on every launch: the same definition with port 0 again (AssignDynamicServiceLogic reuses).
    assertThat(h.call("PUT", "/v2/apps/svc/web?partialUpdate=false", "{\"cmd\":\"exec sleep 600\","
        + "\"portDefinitions\":[{\"port\":0,\"name\":\"http\"},{\"port\":0,\"name\":\"admin\"}]}").code()).isEqualTo(200);
    JsonNode again = h.get("/v2/apps/svc/web").get("app").get("portDefinitions");
    assertThat(again.get(0).get("port").asInt()).isEqualTo(http);
    assertThat(again.get(1).get("port").asInt()).isEqualTo(admin);
    h.call("DELETE", "/v2/apps/svc/web", null);
  }

  /** requirePorts with port 0: the task needs host port 10xxx, which the agent's 35000-35999 does not offer. */
  @Test
  void requirePortsWithPortZeroNeverLaunchesOnAnAgentWithoutThatPort() {
    JsonNode app = h.post("/v2/apps", "{\"id\":\"/svc/required\",\"cmd\":\"exec sleep 600\",\"requirePorts\":true,"
        + "\"portDefinitions\":[{\"port\":0,\"name\":\"http\"}]}").json();
    int servicePort = app.get("portDefinitions").get(0).get("port").asInt();
    assertThat(servicePort).isBetween(10000, 20000);
    JsonNode entry = await().atMost(Duration.ofSeconds(20)).until(() -> h.queueEntry("/svc/required"),
        e -> e != null && e.get("processedOffersSummary").get("unusedOffersCount").asInt() >= 2);
    assertThat(entry.get("count").asInt()).isEqualTo(1);
    JsonNode last = entry.get("processedOffersSummary").get("rejectSummaryLastOffers");
    for (JsonNode step : last) {
      assertThat(step.get("declined").asInt()).as(step.toString())
          .isEqualTo(step.get("reason").asText().equals("InsufficientPorts") ? 1 : 0);
    }
    JsonNode unused = null;
    for (JsonNode e : h.get("/v2/queue?embed=lastUnusedOffers").get("queue")) {
      if (e.get("app").get("id").asText().equals("/svc/required")) unused = e.get("lastUnusedOffers").get(0);
    }
    assertThat(unused.get("reason").toString()).isEqualTo("[\"InsufficientPorts\"]");
    assertThat(unused.get("offer").get("resources").get(0).get("ranges").toString())
        .isEqualTo("[{\"begin\":35000,\"end\":35999}]");
    assertThat(h.tasks("/svc/required")).isEmpty();
    assertThat(h.get("/v2/apps/svc/required").get("app").get("deployments")).hasSize(1);
    h.call("DELETE", "/v2/apps/svc/required", null);
  }

  @Test
  void requirePortsUsesExactlyTheGivenPortWhenTheAgentOffersIt() {
    int port = Harness.freeAgentPort();
    h.deploy("{\"id\":\"/svc/exact\",\"cmd\":\"exec sleep 600\",\"requirePorts\":true,"
        + "\"portDefinitions\":[{\"port\":" + port + ",\"name\":\"http\"}]}");
    JsonNode task = h.tasks("/svc/exact").get(0);
    assertThat(task.get("ports").get(0).asInt()).isEqualTo(port);
    assertThat(task.get("servicePorts").get(0).asInt()).isEqualTo(port);
    h.call("DELETE", "/v2/apps/svc/exact", null);
  }

  @Test
  void aFixedBridgeHostPortOutsideTheAgentsRangeNeverLaunches() {
    h.post("/v2/apps", "{\"id\":\"/svc/bridged\",\"cmd\":\"exec sleep 600\",\"networks\":[{\"mode\":\"container/bridge\"}],"
        + "\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":\"zookeeper\"},"
        + "\"portMappings\":[{\"containerPort\":2181,\"hostPort\":2181,\"name\":\"client\"}]}}");
    JsonNode entry = await().atMost(Duration.ofSeconds(20)).until(() -> h.queueEntry("/svc/bridged"),
        e -> e != null && e.get("processedOffersSummary").get("unusedOffersCount").asInt() >= 1);
    assertThat(entry.get("processedOffersSummary").get("rejectSummaryLaunchAttempt").toString())
        .contains("{\"reason\":\"InsufficientPorts\",\"declined\":" + entry.get("processedOffersSummary")
            .get("unusedOffersCount").asInt());
    assertThat(h.tasks("/svc/bridged")).isEmpty();
    h.call("DELETE", "/v2/apps/svc/bridged", null);
  }
}
