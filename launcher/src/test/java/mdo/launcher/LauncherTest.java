package mdo.launcher;

import static mdo.testkit.MarathonResponses.appResponse;
import static mdo.testkit.MarathonResponses.created;
import static mdo.testkit.MarathonResponses.deploymentResult;
import static mdo.testkit.MarathonResponses.deployments;
import static mdo.testkit.MarathonResponses.json;
import static mdo.testkit.MarathonResponses.payload;
import static mdo.testkit.MarathonResponses.read;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import mdo.cluster.ServiceDefinition;
import mdo.command.Terminal;
import mdo.config.ConfigLoader;
import mdo.config.MdoConfig;
import mdo.marathon.AppJson;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code launcher} in-process against a MockWebServer standing in for Marathon, transcript style. */
class LauncherTest {
  static final String DEPLOYMENT = "5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43";

  @TempDir Path dir;
  MockWebServer marathon = new MockWebServer();
  Path config;
  Map<String, String> env = new HashMap<>();

  record Result(int code, String out, String err) {}

  @BeforeEach
  void start() throws Exception {
    marathon.start();
    config = write("config.yaml", services());
  }

  @AfterEach
  void stop() {
    marathon.close();
  }

  String services() {
    return """
        marathon: {url: "%s"}
        etcd: {host: 127.0.0.1, port: 2379}
        services:
          zookeeper:
            image: davidbliu/zookeeper_processor
            ports: {client: 2181, peer: 2888, election: 3888}
            cpus: 0.5
            health: {protocol: tcp, port: client}
          kafka:
            image: davidbliu/kafka_processor_nossh
            ports: {broker: 9092}
            marathon-format: "1.4"
          cassandra:
            image: cassandra:3.11
            ports-hard: {storage: 7000, native: 9042, thrift: 9160}
            instances: 2
            environment: {MIN_NODES: 2}
        """.formatted(marathon.url("/"));
  }

  Path write(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Terminal terminal = new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false, env);
    int code = Main.run(args, terminal, Duration.ofMillis(10));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  ObjectNode desired(String service) {
    MdoConfig cfg = ConfigLoader.load(config, Map.of());
    return AppJson.toApp(ServiceDefinition.of(cfg, cfg.service(service)));
  }

  static JsonNode body(RecordedRequest request) {
    return read(request.getBody().utf8());
  }

  @Test
  void dryRunPrintsTheAppJsonAndSendsNothing() {
    Result r = run("--config", config.toString(), "--dry-run", "cassandra");

    assertThat(r.code()).isZero();
    JsonNode printed = read(r.out());
    assertThat(printed).isEqualTo(desired("cassandra"));
    assertThat(printed.path("container").path("portMappings").path(0).path("hostPort").asInt()).isEqualTo(7000);
    assertThat(printed.path("constraints")).isEqualTo(read("[[\"hostname\",\"UNIQUE\"]]"));
    assertThat(marathon.getRequestCount()).isZero();
  }

  @Test
  void theDocumentedExampleDryRunsEveryService() {
    Path example = Path.of(System.getProperty("mdo.repo.root", "..")).resolve("config.yaml.example");
    Result r = run("--config", example.toString(), "--dry-run", "zookeeper", "kafka", "cassandra", "hello");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).contains("\"id\" : \"/default/cassandra\"").contains("\"hostPort\" : 9042")
        .contains("\"id\" : \"/default/hello\"").contains("\"portDefinitions\"");
    assertThat(marathon.getRequestCount()).isZero();
  }

  @Test
  void createsAMissingAppAndWaitsUntilAllInstancesRun() throws Exception {
    ObjectNode cassandra = desired("cassandra");
    marathon.enqueue(payload(404, "error_404_app_not_found.json"));
    marathon.enqueue(created(cassandra, DEPLOYMENT));
    marathon.enqueue(deployments("/default/cassandra", DEPLOYMENT));
    marathon.enqueue(appResponse(cassandra, 1, 0, DEPLOYMENT));
    marathon.enqueue(deployments("/default/cassandra"));
    marathon.enqueue(appResponse(cassandra, 2, 0));

    Result r = run("--config", config.toString(), "cassandra");

    assertThat(r.code()).as(r.err()).isZero();
    RecordedRequest get = marathon.takeRequest();
    assertThat(get.getRequestLine()).isEqualTo("GET /v2/apps/default/cassandra HTTP/1.1");
    RecordedRequest post = marathon.takeRequest();
    assertThat(post.getRequestLine()).isEqualTo("POST /v2/apps HTTP/1.1");
    assertThat(body(post)).isEqualTo(read("""
        {
          "id": "/default/cassandra", "cpus": 0.3, "mem": 512.0, "instances": 2,
          "env": {"ETCD_ENDPOINTS": "http://127.0.0.1:2379", "ETCD_HOST_ADDRESS": "127.0.0.1:2379",
                  "MDO_ENVIRONMENT": "default", "SERVICE_NAME": "cassandra",
                  "SUBSCRIBER_URL": "http://127.0.0.1:5000", "MIN_NODES": "2"},
          "labels": {"MDO_SERVICE": "cassandra", "MDO_ENVIRONMENT": "default"},
          "constraints": [["hostname", "UNIQUE"]],
          "networks": [{"mode": "container/bridge"}],
          "container": {
            "type": "DOCKER",
            "docker": {"image": "cassandra:3.11"},
            "portMappings": [
              {"containerPort": 7000, "hostPort": 7000, "protocol": "tcp", "name": "storage"},
              {"containerPort": 9042, "hostPort": 9042, "protocol": "tcp", "name": "native"},
              {"containerPort": 9160, "hostPort": 9160, "protocol": "tcp", "name": "thrift"}
            ],
            "volumes": []
          },
          "healthChecks": [],
          "upgradeStrategy": {"minimumHealthCapacity": 0.5, "maximumOverCapacity": 0.0}
        }"""));
    assertThat(marathon.takeRequest().getTarget()).isEqualTo("/v2/deployments");
    assertThat(r.out()).isEqualTo("""
        cassandra: creating /default/cassandra
        cassandra: deployment 5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43 started, waiting up to 10m for 2 instances
        cassandra: 1/2 running
        cassandra: 2/2 running (deployment done)
        cassandra: deployment finished, 2/2 running
        """);
  }

  @Test
  void marathon14FormatIsSentWhenConfigured() throws Exception {
    marathon.enqueue(payload(404, "error_404_app_not_found.json"));
    marathon.enqueue(created(desired("kafka"), DEPLOYMENT));

    Result r = run("--config", config.toString(), "--no-wait", "kafka");

    assertThat(r.code()).as(r.err()).isZero();
    marathon.takeRequest();
    JsonNode sent = body(marathon.takeRequest());
    assertThat(sent.has("networks")).isFalse();
    assertThat(sent.get("container")).isEqualTo(read("""
        {"type": "DOCKER",
         "docker": {"image": "davidbliu/kafka_processor_nossh", "network": "BRIDGE",
                    "portMappings": [{"containerPort": 9092, "hostPort": 0, "protocol": "tcp", "name": "broker"}]},
         "volumes": []}"""));
    assertThat(r.out()).contains("kafka: deployment " + DEPLOYMENT + " accepted by Marathon (not waiting: --no-wait)");
    assertThat(marathon.getRequestCount()).isEqualTo(2);
  }

  @Test
  void anUnchangedServiceSaysNoChangesAndSendsNoUpdate() {
    marathon.enqueue(appResponse(desired("zookeeper"), 1, 1));

    Result r = run("--config", config.toString(), "zookeeper");

    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo("zookeeper: No changes.\n");
    assertThat(marathon.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aChangedDefinitionIsPutInFullAndRolledOut() throws Exception {
    ObjectNode running = desired("zookeeper").put("cpus", 0.1);
    ObjectNode wanted = desired("zookeeper");
    marathon.enqueue(appResponse(running, 1, 1));
    marathon.enqueue(deploymentResult(DEPLOYMENT));
    marathon.enqueue(deployments("/default/zookeeper", DEPLOYMENT));
    marathon.enqueue(appResponse(wanted, 0, 0, DEPLOYMENT));
    marathon.enqueue(deployments("/default/zookeeper"));
    marathon.enqueue(appResponse(wanted, 1, 1));

    Result r = run("--config", config.toString(), "zookeeper");

    assertThat(r.code()).as(r.err()).isZero();
    marathon.takeRequest();
    RecordedRequest put = marathon.takeRequest();
    assertThat(put.getRequestLine()).isEqualTo("PUT /v2/apps/default/zookeeper?partialUpdate=false HTTP/1.1");
    // the upgrade strategy the running app has is sent back: PUT ?partialUpdate=false would otherwise reset it
    ObjectNode sent = wanted.deepCopy();
    sent.putObject("upgradeStrategy").put("minimumHealthCapacity", 1.0).put("maximumOverCapacity", 1.0);
    assertThat(body(put)).isEqualTo(sent);
    assertThat(r.out()).startsWith("zookeeper: updating /default/zookeeper\n  cpus: 0.1 -> 0.5\n")
        .endsWith("zookeeper: deployment finished, 1/1 running, 1/1 healthy\n");
  }

  @Test
  void servicesAreLaunchedInTheOrderGiven() throws Exception {
    marathon.enqueue(appResponse(desired("zookeeper"), 1, 1));
    marathon.enqueue(appResponse(desired("cassandra"), 2, 2));

    Result r = run("--config", config.toString(), "zookeeper", "cassandra");

    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo("zookeeper: No changes.\ncassandra: No changes.\n");
    assertThat(marathon.takeRequest().getTarget()).isEqualTo("/v2/apps/default/zookeeper");
    assertThat(marathon.takeRequest().getTarget()).isEqualTo("/v2/apps/default/cassandra");
  }

  @Test
  void aDeploymentThatEndsShortExitsOneWithWhatMarathonReports() {
    ObjectNode cassandra = desired("cassandra");
    marathon.enqueue(payload(404, "error_404_app_not_found.json"));
    marathon.enqueue(created(cassandra, DEPLOYMENT));
    marathon.enqueue(deployments("/default/cassandra", DEPLOYMENT));
    marathon.enqueue(appResponse(cassandra, 1, 0, DEPLOYMENT));
    marathon.enqueue(deployments("/default/cassandra"));
    marathon.enqueue(appResponse(cassandra, 1, 0));
    marathon.enqueue(deployments("/default/cassandra"));
    marathon.enqueue(appResponse(cassandra, 1, 0));
    marathon.enqueue(payload(200, "app_tasks_response.json"));

    Result r = run("--config", config.toString(), "cassandra");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("cassandra: FAILED: deployment " + DEPLOYMENT + " of /default/cassandra ended, but only"
        + " 1/2 running.").contains("Abnormal executor termination").contains("TASK_STAGING=1");
  }

  @Test
  void aDeploymentThatTakesTooLongExitsOneAfterTheTimeout() {
    ObjectNode cassandra = desired("cassandra");
    marathon.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return switch (request.getMethod() + " " + request.getTarget()) {
          case "POST /v2/apps" -> created(cassandra, DEPLOYMENT);
          case "GET /v2/deployments" -> deployments("/default/cassandra", DEPLOYMENT);
          case "GET /v2/apps/default/cassandra/tasks" -> payload(200, "app_tasks_response.json");
          default -> request.getRequestLine().contains("POST") || marathon.getRequestCount() == 1
              ? payload(404, "error_404_app_not_found.json") : appResponse(cassandra, 0, 0, DEPLOYMENT);
        };
      }
    });

    Result r = run("--config", config.toString(), "--timeout", "300ms", "cassandra");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("cassandra: FAILED: timed out after 300ms waiting for /default/cassandra: 0/2 running.")
        .contains("longer --timeout");
  }

  // ---- bad input: exit 2, nothing sent

  Result badConfig(String yaml, String... args) throws Exception {
    write("config.yaml", yaml.replace("MARATHON", marathon.url("/").toString()));
    String[] all = new String[args.length + 2];
    all[0] = "--config";
    all[1] = config.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    Result r = run(all);
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(marathon.getRequestCount()).isZero();
    return r;
  }

  @Test
  void badConfigsSendNothingAndNameFileLineAndField() throws Exception {
    String head = "marathon: {url: MARATHON}\nservices:\n  web:\n";
    String file = config.toString();
    assertThat(badConfig(head + "    image: [nginx\n", "web").err()).startsWith(file + ":4: invalid YAML");
    assertThat(badConfig(head + "    image: nginx\n    instances: many\n", "web").err())
        .isEqualTo(file + ":5: services.web.instances: expected a whole number, got 'many'\n");
    assertThat(badConfig(head + "    image: nginx\n    memory: 64\n", "web").err())
        .startsWith(file + ":5: services.web.memory: unknown key 'memory' (did you mean 'mem'?)");
    assertThat(badConfig("marathon: {url: MARATHON}\nservices:\n  Web_1:\n    image: nginx\n", "Web_1").err())
        .startsWith(file + ":3: services.Web_1: invalid service name 'Web_1'");
    assertThat(badConfig(head + "    image: nginx\n    ports: {http: 80}\n    ports-hard: {http: 81}\n", "web").err())
        .startsWith(file + ":6: services.web.ports-hard.http: duplicate port name 'http'");
    assertThat(badConfig(head + "    image: nginx\n    ports: {http: 80000}\n", "web").err())
        .startsWith(file + ":5: services.web.ports.http: port 80000 is out of range");
    assertThat(badConfig(head + "    image: nginx\n    ports: {http: 80}\n    health: {port: https}\n", "web").err())
        .startsWith(file + ":6: services.web.health.port: no port named 'https'");
    assertThat(badConfig(head + "    cmd: run\n    args: [b]\n", "web").err())
        .startsWith(file + ":5: services.web.args: give cmd or args, not both");
    assertThat(badConfig(head + "    image: nginx\n    instances: -2\n", "web").err())
        .startsWith(file + ":5: services.web.instances: must be 0 or more");
    assertThat(badConfig(head + "    mem: 64\n", "web").err())
        .startsWith(file + ":3: services.web: give an image, a cmd, or both");
    assertThat(badConfig(head + "    image: nginx\n", "web", "wbe").err())
        .isEqualTo(file + ":2: services: no service 'wbe' (defined: web). Did you mean 'web'?\n");
  }

  @Test
  void badArgumentsSendNothing() {
    Result none = run("--config", config.toString());
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.err()).contains("Missing required parameter: 'SERVICE'");
    Result timeout = run("--config", config.toString(), "--timeout", "soon", "zookeeper");
    assertThat(timeout.code()).isEqualTo(2);
    assertThat(timeout.err()).contains("expected a duration such as 30s");
    Result missing = run("--config", dir.resolve("nope.yaml").toString(), "zookeeper");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("nope.yaml: no such file");
    assertThat(marathon.getRequestCount()).isZero();
  }

  @Test
  void theConfigComesFromMdoConfigWhenNoOptionIsGiven() {
    env.put("MDO_CONFIG", config.toString());
    Result r = run("--dry-run", "zookeeper");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(read(r.out()).path("id").asText()).isEqualTo("/default/zookeeper");
  }

  @Test
  void helpTeachesByExample() {
    Result r = run("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("launcher --dry-run cassandra").contains("Exit codes:").contains("$MDO_CONFIG");
  }

  // ---- Marathon errors: exit 1 with a message that says what to do

  void enqueueChangedZookeeper() {
    marathon.enqueue(appResponse(desired("zookeeper").put("cpus", 0.1), 1, 1));
  }

  @Test
  void aLockedAppSuggestsForceAndForceOverridesTheLock() throws Exception {
    enqueueChangedZookeeper();
    marathon.enqueue(payload(409, "error_409_app_locked.json"));

    Result r = run("--config", config.toString(), "zookeeper");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("(HTTP 409): App is locked by one or more deployments")
        .contains("Another deployment (97c136bf-5a28-4821-9d94-480d9fbb01c8) is still changing this app")
        .contains("re-run with --force");

    marathon.takeRequest();
    marathon.takeRequest();
    enqueueChangedZookeeper();
    marathon.enqueue(deploymentResult(DEPLOYMENT));
    Result forced = run("--config", config.toString(), "--force", "--no-wait", "zookeeper");
    assertThat(forced.code()).as(forced.err()).isZero();
    marathon.takeRequest();
    assertThat(marathon.takeRequest().getTarget()).isEqualTo("/v2/apps/default/zookeeper?partialUpdate=false&force=true");
  }

  @Test
  void validationErrorsListMarathonsDetails() {
    marathon.enqueue(payload(404, "error_404_app_not_found.json"));
    marathon.enqueue(payload(422, "error_422_validation.json"));

    Result r = run("--config", config.toString(), "zookeeper");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("zookeeper: Marathon rejected POST /v2/apps (HTTP 422): Object is not valid\n"
        + "  /upgradeStrategy/minimumHealthCapacity: is greater than 1\n"
        + "Marathon rejected the app definition; --dry-run prints the JSON mdo sends.\n");
  }

  @Test
  void badRequestShowsMarathonsMessage() {
    enqueueChangedZookeeper();
    marathon.enqueue(payload(400, "error_400_invalid_json.json"));

    Result r = run("--config", config.toString(), "zookeeper");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("(HTTP 400): Invalid JSON").contains("/id: error.expected.jsstring");
  }

  @Test
  void unauthorizedHtmlPageSaysToCheckCredentials() {
    // Jetty's BasicAuthenticator answers with an HTML page, not JSON (API.md §6); no verbatim copy exists, so this is
    // Jetty's default error page layout.
    marathon.enqueue(new MockResponse.Builder().code(401).setHeader("WWW-Authenticate", "basic realm=\"Mesosphere\"")
        .setHeader("Content-Type", "text/html;charset=iso-8859-1")
        .body("<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\"/>\n"
            + "<title>Error 401 Unauthorized</title>\n</head>\n<body><h2>HTTP ERROR 401</h2>\n"
            + "<p>Problem accessing /v2/apps/default/zookeeper. Reason:\n<pre>    Unauthorized</pre></p>\n</body>\n</html>\n")
        .build());

    Result r = run("--config", config.toString(), "zookeeper");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("(HTTP 401): authentication required or failed")
        .contains("MARATHON_USER/MARATHON_PASSWORD").contains(config.toString());
  }

  @Test
  void forbiddenSaysTheCredentialsLackPermission() {
    marathon.enqueue(payload(403, "error_403_forbidden.json"));

    Result r = run("--config", config.toString(), "zookeeper");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("(HTTP 403): Not Authorized to perform this action!").contains("permissions");
  }

  @Test
  void credentialsFromTheEnvironmentAreSent() throws Exception {
    env.put("MARATHON_USER", "ops");
    env.put("MARATHON_PASSWORD", "s3cret");
    marathon.enqueue(appResponse(desired("zookeeper"), 1, 1));

    assertThat(run("--config", config.toString(), "zookeeper").code()).isZero();
    assertThat(marathon.takeRequest().getHeaders().get("Authorization")).isEqualTo("Basic b3BzOnMzY3JldA==");
  }

  @Test
  void anUnreachableMarathonListsWhatWasTried() throws Exception {
    MockWebServer gone = new MockWebServer();
    gone.start();
    String url = gone.url("/").toString();
    gone.close();
    write("config.yaml", services().replace(marathon.url("/").toString(), url));

    Result r = run("--config", config.toString(), "zookeeper");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("zookeeper: Marathon unreachable for GET /v2/apps/default/zookeeper: "
        + url.substring(0, url.length() - 1)).contains("Is Marathon running? Check marathon.url/urls in " + config);
  }

  String withSecrets() {
    return services().replace("etcd: {host: 127.0.0.1, port: 2379}", """
        etcd: {host: 127.0.0.1, port: 2379}
        subscriber: {token: admin-t0ken, registration-secret: reg-s3cret}""")
        .replace("environment: {MIN_NODES: 2}", "environment: {MIN_NODES: 2, DB_PASSWORD: hunter2}");
  }

  @Test
  void everyTaskGetsItsServicesRegistrationTokenAndNeverTheSubscribersSecrets() throws Exception {
    config = write("config.yaml", withSecrets());
    ObjectNode cassandra = desired("cassandra");
    JsonNode env = cassandra.path("env");
    assertThat(env.path("MDO_REGISTRATION_TOKEN").asText())
        .isEqualTo(mdo.access.RegistrationTokens.of("reg-s3cret", "default", "cassandra"))
        .startsWith("cassandra.");
    assertThat(mdo.access.RegistrationTokens.service("reg-s3cret", "default", env.path("MDO_REGISTRATION_TOKEN").asText()))
        .contains("cassandra");
    assertThat(desired("kafka").path("env").path("MDO_REGISTRATION_TOKEN").asText()).startsWith("kafka.")
        .isNotEqualTo(env.path("MDO_REGISTRATION_TOKEN").asText());
    assertThat(cassandra.toString()).doesNotContain("admin-t0ken").doesNotContain("reg-s3cret");
  }

  @Test
  void dryRunMasksSecretValues() {
    config = withSecretsConfig();
    Result r = run("--config", config.toString(), "--dry-run", "cassandra");

    assertThat(r.code()).as(r.err()).isZero();
    JsonNode env = read(r.out()).path("env");
    assertThat(env.path("MDO_REGISTRATION_TOKEN").asText()).isEqualTo("***");
    assertThat(env.path("DB_PASSWORD").asText()).isEqualTo("***");
    assertThat(env.path("MIN_NODES").asText()).isEqualTo("2");
    assertThat(r.out()).doesNotContain("hunter2").doesNotContain("reg-s3cret").doesNotContain(
        mdo.access.RegistrationTokens.of("reg-s3cret", "default", "cassandra"));
  }

  @Test
  void theListOfChangesNeverShowsASecretValue() throws Exception {
    config = withSecretsConfig();
    ObjectNode wanted = desired("cassandra");
    ObjectNode running = wanted.deepCopy();
    ((ObjectNode) running.path("env")).put("DB_PASSWORD", "old-pw").remove("MDO_REGISTRATION_TOKEN");
    marathon.enqueue(appResponse(running, 2, 2));
    marathon.enqueue(deploymentResult(DEPLOYMENT));
    marathon.enqueue(deployments("/default/cassandra", DEPLOYMENT));
    marathon.enqueue(appResponse(wanted, 1, 1, DEPLOYMENT));
    marathon.enqueue(deployments("/default/cassandra"));
    marathon.enqueue(appResponse(wanted, 2, 2));

    Result r = run("--config", config.toString(), "cassandra");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("  env.DB_PASSWORD: *** -> *** (changed)\n")
        .contains("  env.MDO_REGISTRATION_TOKEN: (none) -> ***\n")
        .doesNotContain("old-pw").doesNotContain("hunter2");
  }

  Path withSecretsConfig() {
    try {
      return write("config.yaml", withSecrets());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
