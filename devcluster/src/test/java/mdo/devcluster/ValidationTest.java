package mdo.devcluster;

import static mdo.devcluster.Harness.fields;
import static mdo.devcluster.Harness.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import mdo.testkit.Payloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * App definitions refused as Marathon 1.5+ refuses them: by the RAML reader (422 "Invalid JSON", Play's keys) or by
 * the validation rules (422 "Object is not valid", Accord's paths), and nothing is stored.
 */
class ValidationTest {
  static Harness h;

  @BeforeAll
  static void start() {
    h = Harness.start();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  private static String app(String id, String extra) {
    return "{\"id\":\"" + id + "\",\"cmd\":\"sleep 60\",\"instances\":0" + extra + "}";
  }

  /** Each body must get exactly this one detail; and the app must not exist afterwards. */
  private static void refused(String message, String body, String path, String error) {
    Harness.Reply reply = h.post("/v2/apps", body);
    assertThat(reply.code()).as(body + " -> " + reply.body()).isEqualTo(422);
    assertThat(reply.json().get("message").asText()).as(body).isEqualTo(message);
    assertThat(reply.json().get("details").toString()).as(body)
        .isEqualTo("[{\"path\":\"" + path + "\",\"errors\":[\"" + error + "\"]}]");
    String id = parse(body).get("id").asText();
    assertThat(h.call("GET", "/v2/apps/" + id, null).code()).as("nothing stored for " + id).isEqualTo(404);
  }

  private static void accepted(String body) {
    Harness.Reply reply = h.post("/v2/apps", body);
    assertThat(reply.code()).as(body + " -> " + reply.body()).isEqualTo(201);
    h.call("DELETE", "/v2/apps" + reply.json().get("id").asText(), null);
  }

  @Test
  void constraintsAreCheckedAsSchedulingValidationChecksThem() {
    String invalid = "Object is not valid";
    refused(invalid, app("c1", ",\"constraints\":[[\"hostname\",\"MAX_PER\"]]"), "/constraints(0)",
        "MAX_PER requires an integer value");
    refused(invalid, app("c2", ",\"constraints\":[[\"rack\",\"MAX_PER\",\"two\"]]"), "/constraints(0)",
        "MAX_PER requires an integer value");
    refused(invalid, app("c3", ",\"constraints\":[[\"rack\",\"GROUP_BY\",\"abc\"]]"), "/constraints(0)",
        "GROUP BY must define an integer value or else no value at all");
    refused(invalid, app("c4", ",\"constraints\":[[\"hostname\",\"LIKE\",\"[a-z\"]]"), "/constraints(0)",
        "is not a valid regular expression");
    refused(invalid, app("c5", ",\"constraints\":[[\"hostname\",\"UNLIKE\"]]"), "/constraints(0)",
        "LIKE and UNLIKE require a non-empty, regular expression value");
    refused(invalid, app("c6", ",\"constraints\":[[\"rack\",\"IS\",\"rack 1\"]]"), "/constraints(0)",
        "IS only supports Mesos text and float values (see http://mesos.apache.org/documentation/latest/attributes-resources/)");
    refused(invalid, app("c7", ",\"constraints\":[[\"hostname\",\"UNIQUE\",\"x\"]]"), "/constraints(0)",
        "UNIQUE does not accept a value");
    refused(invalid, app("c8", ",\"constraints\":[[\"hostname\"]]"), "/constraints(0)",
        "Each constraint must have either 2 or 3 fields");
    refused("Invalid JSON", app("c9", ",\"constraints\":[[\"hostname\",7]]"), "/constraints(0)(1)",
        "error.expected.jsstring");
    accepted(app("c-ok", ",\"constraints\":[[\"rack\",\"GROUP_BY\",\"3\"],[\"rack\",\"GROUP_BY\"],"
        + "[\"hostname\",\"MAX_PER\",\"2\"],[\"hostname\",\"like\",\"127\\\\..*\"],[\"rack\",\"IS\",\"rack-1.a/b_c\"],"
        + "[\"hostname\",\"CLUSTER\"]]"));
  }

  @Test
  void aCommandMustBeLongerThanOneCharacter() {
    refused("Object is not valid", "{\"id\":\"one-char\",\"cmd\":\"x\"}", "/", "must not be an empty string");
    refused("Invalid JSON", "{\"id\":\"no-char\",\"cmd\":\"\"}", "/cmd", "error.minLength");
    accepted("{\"id\":\"two-chars\",\"cmd\":\"ls\",\"instances\":0}");
  }

  @Test
  void theReaderRefusesBoundsTypesEnumsAndPatternsWithPlaysKeys() {
    String json = "Invalid JSON";
    refused(json, app("r1", ",\"instances\":-1").replace("\"instances\":0,", ""), "/instances", "error.min");
    refused(json, app("r2", ",\"cpus\":0"), "/cpus", "error.min");
    refused(json, app("r3", ",\"backoffSeconds\":0.5"), "/backoffSeconds", "error.expected.int");
    refused(json, app("r4", ",\"backoffFactor\":0.9"), "/backoffFactor", "error.min");
    refused(json, app("r5", ",\"killSelection\":\"RANDOM\""), "/killSelection", "error.unknown.enum.literal");
    refused(json, app("r6", ",\"portDefinitions\":[{\"port\":0,\"name\":\"client_port\"}]"),
        "/portDefinitions(0)/name", "error.pattern");
    refused(json, app("r7", ",\"portDefinitions\":[{\"port\":70000}]"), "/portDefinitions(0)/port", "error.max");
    refused(json, app("r8", ",\"healthChecks\":[{\"protocol\":\"MESOS_GRPC\"}]"), "/healthChecks(0)/protocol",
        "error.unknown.enum.literal");
    refused(json, app("r9", ",\"healthChecks\":[{\"intervalSeconds\":-1}]"), "/healthChecks(0)/intervalSeconds",
        "error.min");
    refused(json, "{\"id\":\"Upper_Case\",\"cmd\":\"sleep 1\"}", "/id", "error.pattern");
    refused(json, app("v1", ",\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":\"x\"},\"volumes\":"
        + "[{\"containerPath\":\"/data\",\"hostPath\":\"/srv/data\",\"mode\":\"rw\"}]}"),
        "/container/volumes(0)/mode", "error.unknown.enum.literal");
    refused(json, app("v2", ",\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":\"x\"},\"volumes\":"
        + "[{\"containerPath\":\"/data\",\"hostPath\":\"/srv/data\"}]}"),
        "/container/volumes(0)/mode", "error.path.missing");
    Harness.Reply reply = h.post("/v2/apps", app("shape", ",\"instances\":-1").replace("\"instances\":0,", ""));
    assertThat(fields(reply.json())).isEqualTo(fields(parse(Payloads.marathon("error_422_validation.json"))));
  }

  @Test
  void appRulesAreMarathonsRules() {
    String invalid = "Object is not valid";
    refused(invalid, app("two-mesos-checks", ",\"healthChecks\":[{\"protocol\":\"MESOS_TCP\"},"
        + "{\"protocol\":\"MESOS_HTTP\"}]"), "/", "AppDefinition can contain at most one Mesos health check");
    refused(invalid, "{\"id\":\"defs-on-bridge\",\"networks\":[{\"mode\":\"container/bridge\"}],"
        + "\"container\":{\"docker\":{\"image\":\"nginx\"}},\"portDefinitions\":[{\"port\":0}]}", "/",
        "portDefinitions are only allowed with host-networking");
    refused(invalid, "{\"id\":\"mappings-on-host\",\"container\":{\"docker\":{\"image\":\"nginx\"},"
        + "\"portMappings\":[{\"containerPort\":80}]}}", "/", "portMappings are not allowed with host-networking");
    refused(invalid, app("gpus", ",\"gpus\":1"), "/",
        "Feature gpu_resources is not enabled. Enable with --enable_features gpu_resources)");
    refused(invalid, "{\"id\":\"both-networks\",\"cmd\":\"sleep 1\",\"networks\":[{\"mode\":\"host\"}],"
        + "\"container\":{\"docker\":{\"image\":\"nginx\",\"network\":\"HOST\"}}}", "/",
        "must not specify both container.docker.network and networks");
    // A MESOS_* check's port index is not checked (portIndexIsValid covers HTTP, HTTPS and TCP only).
    accepted(app("mesos-index", ",\"healthChecks\":[{\"protocol\":\"MESOS_TCP\",\"portIndex\":4}]"));
  }

  @Test
  void nothingIsStoredWhenAnUpdateIsRefused() {
    h.post("/v2/apps", app("kept", ",\"labels\":{\"v\":\"1\"}"));
    Harness.Reply reply = h.call("PUT", "/v2/apps/kept", "{\"cmd\":\"x\",\"labels\":{\"v\":\"2\"}}");
    assertThat(reply.code()).isEqualTo(422);
    JsonNode app = h.get("/v2/apps/kept").get("app");
    assertThat(app.get("cmd").asText()).isEqualTo("sleep 60");
    assertThat(app.get("labels").get("v").asText()).isEqualTo("1");
    h.call("DELETE", "/v2/apps/kept", null);
  }
}
