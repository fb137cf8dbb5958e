package mdo.devcluster;

import static mdo.devcluster.Harness.fields;
import static mdo.devcluster.Harness.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;
import mdo.testkit.Payloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The /v2/apps REST surface, compared with Marathon's own payloads. */
class AppsApiTest {
  static Harness h;

  @BeforeAll
  static void start() {
    h = Harness.start();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  /** The fixture runs python on the fixed port 8080 in a Docker image; here a harmless local command runs instead. */
  private static ObjectNode fixtureApp(String id) {
    ObjectNode app = parse(Payloads.marathon("apps_post_request.json"));
    app.put("id", id);
    app.put("cmd", "sleep 60");
    return app;
  }

  @Test
  void createAnswers201WithMarathonsAppFieldsLocationAndDeploymentHeader() {
    Harness.Reply reply = h.post("/v2/apps", fixtureApp("created").toString());

    assertThat(reply.code()).isEqualTo(201);
    JsonNode app = reply.json();
    JsonNode reference = parse(Payloads.marathon("apps_post_response.json"));
    // The fixture is a 1.4 answer; 1.5+ no longer writes uris and storeUrls (API.md §3.3).
    Set<String> expected = fields(reference);
    expected.removeAll(Set.of("uris", "storeUrls"));
    assertThat(fields(app)).containsAll(expected).doesNotContain("uris", "storeUrls");
    assertThat(fields(app.get("healthChecks").get(0))).containsAll(fields(reference.get("healthChecks").get(0)));
    assertThat(fields(app.get("container"))).containsAll(fields(reference.get("container")));
    assertThat(fields(app)).contains("tasksStaged", "tasksRunning", "tasksHealthy", "tasksUnhealthy", "networks");
    assertThat(app.get("id").asText()).isEqualTo("/created");
    assertThat(app.get("version").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    String deploymentId = app.get("deployments").get(0).get("id").asText();
    assertThat(reply.headers().get("Marathon-Deployment-Id")).isEqualTo(deploymentId);
    assertThat(reply.headers().get("Location")).endsWith("/v2/apps/created");
    // 1.5+ output: bridge networking in networks + container.portMappings, nothing of the 1.4 form
    assertThat(app.get("networks").get(0).get("mode").asText()).isEqualTo("container/bridge");
    assertThat(app.get("container").get("portMappings")).hasSize(2);
    assertThat(app.get("container").get("docker").has("network")).isFalse();
    assertThat(app.get("container").get("portMappings").get(0).get("servicePort").asInt()).isEqualTo(9000);
    assertThat(app.get("container").get("portMappings").get(1).get("servicePort").asInt()).isBetween(10000, 20000);
    h.awaitRunning("/created", 2);
    assertThat(h.call("DELETE", "/v2/apps/created", null).code()).isEqualTo(200);
  }

  @Test
  void legacyNetworkingIsAcceptedAndAnsweredInThe15Form() {
    for (String name : List.of("bridge", "host", "user")) {
      ObjectNode old = parse(Payloads.marathon("networking-1.4-vs-1.5/" + name + "-net-old.json"));
      ObjectNode current = parse(Payloads.marathon("networking-1.4-vs-1.5/" + name + "-net-new.json"));
      old.put("instances", 0);
      current.put("instances", 0);
      JsonNode fromOld = h.post("/v2/apps", old.toString()).json();
      JsonNode fromNew = h.post("/v2/apps", current.toString()).json();

      assertThat(fromOld.get("networks")).as(name).isEqualTo(fromNew.get("networks"));
      assertThat(withoutServicePorts(fromOld.get("container"))).as(name)
          .isEqualTo(withoutServicePorts(fromNew.get("container")));
      assertThat(fromOld.toString()).doesNotContain("\"ipAddress\":{").doesNotContain("\"network\":");
    }
  }

  private static JsonNode withoutServicePorts(JsonNode container) {
    ObjectNode copy = container.deepCopy();
    copy.path("portMappings").forEach(m -> ((ObjectNode) m).remove("servicePort"));
    return copy;
  }

  @Test
  void theLegacyFixtureAndTheCurrentOneDescribeTheSameApp() {
    ObjectNode legacy = parse(Payloads.marathon("apps_post_request.legacy-1.4.json"));
    legacy.put("id", "legacy-form").put("instances", 0);
    JsonNode app = h.post("/v2/apps", legacy.toString()).json();
    assertThat(app.has("ports")).isFalse();
    assertThat(app.get("container").path("docker").has("portMappings")).isFalse();
    assertThat(app.get("networks").get(0).get("mode").asText()).isEqualTo("container/bridge");
  }

  @Test
  void existingIdIs409WithMarathonsMessage() {
    h.post("/v2/apps", "{\"id\":\"twice\",\"cmd\":\"sleep 60\",\"instances\":0}");
    Harness.Reply again = h.post("/v2/apps", "{\"id\":\"/twice\",\"cmd\":\"sleep 60\"}");
    assertThat(again.code()).isEqualTo(409);
    assertThat(again.json()).isEqualTo(parse("{\"message\":\"An app with id [/twice] already exists.\"}"));
    assertThat(fields(again.json())).isEqualTo(fields(parse(Payloads.marathon("error_409_app_exists.json"))));
  }

  @Test
  void unknownAppIs404WithMarathonsMessage() {
    Harness.Reply reply = h.call("GET", "/v2/apps/nested/not-there", null);
    assertThat(reply.code()).isEqualTo(404);
    assertThat(reply.json().get("message").asText()).isEqualTo("App '/nested/not-there' does not exist");
    assertThat(h.call("PATCH", "/v2/apps/not-there", "{\"instances\":1}").code()).isEqualTo(404);
    assertThat(h.call("DELETE", "/v2/apps/not-there", null).code()).isEqualTo(404);
    assertThat(h.post("/v2/apps/not-there/restart", null).code()).isEqualTo(404);
  }

  @Test
  void invalidDefinitionsAre422WithDetailsNamingTheField() {
    assertInvalid("{\"id\":\"nothing-to-run\"}", "/",
        "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.");
    assertInvalid("{\"id\":\"a/tasks\",\"cmd\":\"sleep 1\"}", "/id", "reserved keywords");
    assertInvalid("{\"id\":\"dup\",\"cmd\":\"sleep 1\",\"portDefinitions\":[{\"port\":0,\"name\":\"a\"},"
        + "{\"port\":0,\"name\":\"a\"}]}", "/portDefinitions", "Port names must be unique.");
    assertInvalid("{\"id\":\"hc\",\"cmd\":\"sleep 1\",\"healthChecks\":[{\"portIndex\":3}]}", "/healthChecks(0)",
        "Health check port indices");
    assertInvalid("{\"id\":\"op\",\"cmd\":\"sleep 1\",\"constraints\":[[\"hostname\",\"SOMETIMES\"]]}",
        "/constraints(0)", "operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER, UNLIKE or IS");
    JsonNode shape = parse(Payloads.marathon("error_422_validation.json"));
    Harness.Reply reply = h.post("/v2/apps", "{\"id\":\"nothing-to-run\"}");
    assertThat(fields(reply.json())).isEqualTo(fields(shape));
    assertThat(fields(reply.json().get("details").get(0))).isEqualTo(fields(shape.get("details").get(0)));
    assertThat(h.call("GET", "/v2/apps/nothing-to-run", null).code()).as("nothing was stored").isEqualTo(404);
  }

  @Test
  void bothPortMappingFormsAre500AsMarathonsNormalizerThrows() {
    Harness.Reply reply = h.post("/v2/apps", "{\"id\":\"both\",\"container\":{\"docker\":{\"image\":\"x\","
        + "\"portMappings\":[{\"containerPort\":80}]},\"portMappings\":[{\"containerPort\":81}]},"
        + "\"networks\":[{\"mode\":\"container/bridge\"}]}");
    assertThat(reply.code()).isEqualTo(500);
    assertThat(reply.json()).isEqualTo(parse("{\"message\":\"cannot specify both portMappings and docker.portMappings\"}"));
    assertThat(h.call("GET", "/v2/apps/both", null).code()).isEqualTo(404);
  }

  private static void assertInvalid(String body, String path, String error) {
    Harness.Reply reply = h.post("/v2/apps", body);
    assertThat(reply.code()).as(body + " -> " + reply.body()).isEqualTo(422);
    assertThat(reply.json().get("message").asText()).isEqualTo("Object is not valid");
    assertThat(reply.json().get("details").toString()).as(reply.body()).contains("\"path\":\"" + path + "\"")
        .contains(error.replace("'", "'"));
  }

  @Test
  void wrongTypesAre422InvalidJsonWithPlayErrorKeys() {
    Harness.Reply reply = h.post("/v2/apps", "{\"id\":\"types\",\"cmd\":\"x\",\"cpus\":\"lots\",\"instances\":1.5}");
    assertThat(reply.code()).isEqualTo(422);
    assertThat(reply.json().get("message").asText()).isEqualTo("Invalid JSON");
    assertThat(reply.json().get("details").toString())
        .contains("{\"path\":\"/cpus\",\"errors\":[\"error.expected.jsnumber\"]}")
        .contains("{\"path\":\"/instances\",\"errors\":[\"error.expected.int\"]}");
  }

  @Test
  void brokenJsonIs400WithDetailsAsAString() {
    Harness.Reply reply = h.post("/v2/apps", "{\"id\": \"x\", ");
    assertThat(reply.code()).isEqualTo(400);
    assertThat(reply.json().get("message").asText()).isEqualTo("Invalid JSON");
    assertThat(reply.json().get("details").isTextual()).isTrue();
  }

  @Test
  void listEmbedsCountsDeploymentsAndTasksOnRequest() {
    h.deploy("{\"id\":\"/listed/app\",\"cmd\":\"sleep 60\",\"instances\":1,\"labels\":{\"team\":\"a\"}}");
    JsonNode list = h.get("/v2/apps?embed=apps.tasks&label=team==a");
    assertThat(list.get("apps")).hasSize(1);
    JsonNode app = list.get("apps").get(0);
    JsonNode reference = parse(Payloads.marathon("apps_list_response.json")).get("apps").get(0);
    Set<String> expected = fields(reference);
    expected.removeAll(Set.of("ports", "uris", "storeUrls"));
    assertThat(fields(app)).containsAll(expected).contains("tasks");
    assertThat(app.get("tasksRunning").asInt()).isEqualTo(1);
    assertThat(h.get("/v2/apps").get("apps").get(0).has("tasks")).isFalse();
    assertThat(h.get("/v2/apps?id=listed").get("apps")).hasSize(1);
    assertThat(h.get("/v2/apps/listed/*").get("*")).hasSize(1);
  }

  @Test
  void getAppEmbedsTasksAndDeployments() {
    h.deploy("{\"id\":\"/default/shown\",\"cmd\":\"sleep 60\",\"instances\":2}");
    JsonNode app = h.get("/v2/apps/default/shown").get("app");
    assertThat(app.get("id").asText()).isEqualTo("/default/shown");
    assertThat(app.get("tasks")).hasSize(2);
    assertThat(app.get("deployments")).isEmpty();
    assertThat(app.get("tasks").get(0).get("id").asText()).matches("default_shown\\.instance-[0-9a-f-]{36}\\._app\\.1");
  }

  @Test
  void putCreatesAMissingAppWith201AndAnswersWithTheDeployment() {
    Harness.Reply reply = h.call("PUT", "/v2/apps/put-created", "{\"cmd\":\"sleep 60\",\"instances\":1}");
    assertThat(reply.code()).isEqualTo(201);
    assertThat(fields(reply.json())).isEqualTo(fields(parse(Payloads.marathon("app_put_response.json"))));
    assertThat(reply.headers().get("Marathon-Deployment-Id")).isEqualTo(reply.json().get("deploymentId").asText());
    h.awaitRunning("/put-created", 1);
  }

  @Test
  void scalingKeepsRunningTasksWhileAChangedDefinitionReplacesThem() {
    h.deploy("{\"id\":\"rolling\",\"cmd\":\"sleep 60\",\"instances\":1}");
    String first = h.tasks("/rolling").get(0).get("id").asText();

    Harness.Reply scale = h.call("PUT", "/v2/apps/rolling", Payloads.marathon("app_scale_request.json")
        .replace("/foo", "/rolling"));
    assertThat(scale.code()).isEqualTo(200);
    h.awaitNoDeployments("/rolling");
    List<String> afterScale = h.awaitRunning("/rolling", 2).stream().map(t -> t.get("id").asText()).toList();
    assertThat(afterScale).contains(first);

    assertThat(h.call("PATCH", "/v2/apps/rolling", "{\"cmd\":\"sleep 61\"}").code()).isEqualTo(200);
    h.awaitNoDeployments("/rolling");
    List<String> afterChange = h.awaitRunning("/rolling", 2).stream().map(t -> t.get("id").asText()).toList();
    assertThat(afterChange).doesNotContainAnyElementsOf(afterScale);
    assertThat(h.get("/v2/apps/rolling").get("app").get("cmd").asText()).isEqualTo("sleep 61");

    Harness.Reply restart = h.post("/v2/apps/rolling/restart", null);
    assertThat(fields(restart.json())).isEqualTo(fields(parse(Payloads.marathon("app_restart_response.1.4.json"))));
    h.awaitNoDeployments("/rolling");
    assertThat(h.awaitRunning("/rolling", 2).stream().map(t -> t.get("id").asText()).toList())
        .doesNotContainAnyElementsOf(afterChange);
  }

  @Test
  void versionsCanBeListedAndRolledBackTo() {
    h.post("/v2/apps", "{\"id\":\"versioned\",\"cmd\":\"sleep 60\",\"instances\":0,\"labels\":{\"v\":\"1\"}}");
    String first = h.get("/v2/apps/versioned").get("app").get("version").asText();
    h.call("PUT", "/v2/apps/versioned?partialUpdate=false", "{\"cmd\":\"sleep 61\",\"instances\":0}");
    JsonNode replaced = h.get("/v2/apps/versioned").get("app");
    assertThat(replaced.get("labels").size()).as("a full replace drops what the body leaves out").isZero();
    assertThat(h.get("/v2/apps/versioned/versions").get("versions")).hasSize(2);
    assertThat(h.get("/v2/apps/versioned/versions/" + first).get("labels").get("v").asText()).isEqualTo("1");

    Harness.Reply mixed = h.call("PUT", "/v2/apps/versioned", "{\"version\":\"" + first + "\",\"cmd\":\"x\"}");
    assertThat(mixed.code()).isEqualTo(422);
    assertThat(mixed.body()).contains("The 'version' field may only be combined with the 'id' field.");
    assertThat(h.call("PUT", "/v2/apps/versioned", "{\"version\":\"" + first + "\"}").code()).isEqualTo(200);
    JsonNode rolledBack = h.get("/v2/apps/versioned").get("app");
    assertThat(rolledBack.get("cmd").asText()).isEqualTo("sleep 60");
    assertThat(rolledBack.get("labels").get("v").asText()).isEqualTo("1");
  }

  @Test
  void aRunningDeploymentLocksTheAppUntilForced() {
    // The health check never passes (nothing listens on the port), so the deployment stays running.
    h.post("/v2/apps", "{\"id\":\"locked\",\"cmd\":\"sleep 60\",\"healthChecks\":[{\"protocol\":\"TCP\","
        + "\"gracePeriodSeconds\":300,\"intervalSeconds\":60,\"timeoutSeconds\":1}]}");
    JsonNode deployments = h.get("/v2/deployments");
    String deploymentId = deployments.get(0).get("id").asText();

    Harness.Reply locked = h.call("PUT", "/v2/apps/locked", "{\"instances\":2}");
    assertThat(locked.code()).isEqualTo(409);
    assertThat(fields(locked.json())).isEqualTo(fields(parse(Payloads.marathon("error_409_app_locked.json"))));
    assertThat(locked.json().get("deployments").get(0).get("id").asText()).isEqualTo(deploymentId);

    Harness.Reply forced = h.call("PUT", "/v2/apps/locked?force=true", "{\"instances\":0}");
    assertThat(forced.code()).isEqualTo(200);
    h.awaitNoDeployments("/locked");
  }

  @Test
  void deploymentsHaveMarathonsShapeAndCanBeCancelled() {
    h.post("/v2/apps", "{\"id\":\"slow\",\"cmd\":\"sleep 60\",\"healthChecks\":[{\"protocol\":\"COMMAND\","
        + "\"command\":{\"value\":\"false\"},\"gracePeriodSeconds\":300,\"intervalSeconds\":60,\"timeoutSeconds\":5}]}");
    JsonNode deployment = null;
    for (JsonNode d : h.get("/v2/deployments")) {
      if (d.get("affectedApps").get(0).asText().equals("/slow")) deployment = d;
    }
    assertThat(deployment).isNotNull();
    JsonNode reference = Harness.tree(Payloads.marathon("deployments_get.json")).get(0);
    assertThat(fields(deployment)).isEqualTo(fields(reference));
    assertThat(deployment.get("steps").toString()).isEqualTo(
        "[{\"actions\":[{\"action\":\"StartApplication\",\"app\":\"/slow\"}]},"
            + "{\"actions\":[{\"action\":\"ScaleApplication\",\"app\":\"/slow\"}]}]");
    assertThat(deployment.get("currentStep").asInt()).isEqualTo(2);
    assertThat(deployment.get("totalSteps").asInt()).isEqualTo(2);
    assertThat(fields(deployment.get("currentActions").get(0))).isEqualTo(Set.of("action", "app", "readinessCheckResults"));

    Harness.Reply cancel = h.call("DELETE", "/v2/deployments/" + deployment.get("id").asText() + "?force=true", null);
    assertThat(cancel.code()).isEqualTo(202);
    assertThat(h.call("DELETE", "/v2/deployments/" + deployment.get("id").asText(), null).json().get("message")
        .asText()).isEqualTo("DeploymentPlan " + deployment.get("id").asText() + " does not exist");
  }

  @Test
  void deleteAnswersWithTheDeploymentAndStopsTheTasks() {
    h.deploy("{\"id\":\"doomed\",\"cmd\":\"sleep 60\",\"instances\":2}");
    Harness.Reply reply = h.call("DELETE", "/v2/apps/doomed", null);
    assertThat(reply.code()).isEqualTo(200);
    assertThat(fields(reply.json())).isEqualTo(fields(parse(Payloads.marathon("app_delete_response.1.4.json"))));
    assertThat(h.call("GET", "/v2/apps/doomed", null).code()).isEqualTo(404);
    h.awaitNoDeployments("/doomed");
    assertThat(h.get("/v2/tasks").get("tasks").toString()).doesNotContain("/doomed");
  }

  @Test
  void systemEndpointsAnswerLikeAnElectedMarathon() {
    Harness.Reply ping = h.call("GET", "/ping", null);
    assertThat(ping.body()).isEqualTo("pong");
    assertThat(ping.headers().get("Content-Type")).startsWith("text/plain");
    JsonNode info = h.get("/v2/info");
    assertThat(fields(info)).containsAll(Set.of("name", "version", "buildref", "elected", "leader", "frameworkId",
        "marathon_config", "zookeeper_config", "http_config"));
    assertThat(info.get("elected").asBoolean()).isTrue();
    assertThat(h.get("/v2/leader").get("leader").asText()).isEqualTo(info.get("leader").asText());
    Harness.Reply unknown = h.call("GET", "/v2/nothing-here", null);
    assertThat(unknown.code()).isEqualTo(500);
    assertThat(unknown.json().get("message").asText()).isEqualTo("URI not found");
  }
}
