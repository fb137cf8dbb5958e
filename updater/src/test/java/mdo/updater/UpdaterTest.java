package mdo.updater;

import static mdo.testkit.MarathonResponses.appResponse;
import static mdo.testkit.MarathonResponses.deploymentResult;
import static mdo.testkit.MarathonResponses.deployments;
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
import java.util.Map;
import mdo.cluster.ServiceDefinition;
import mdo.command.Terminal;
import mdo.config.ConfigLoader;
import mdo.config.MdoConfig;
import mdo.marathon.AppJson;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code updater} in-process against a MockWebServer standing in for Marathon, transcript style. */
class UpdaterTest {
  static final String DEPLOYMENT = "83b215a6-4e26-4e44-9333-5c385eda6438";

  @TempDir Path dir;
  MockWebServer marathon = new MockWebServer();
  Path config;
  ObjectNode cassandra;

  record Result(int code, String out, String err) {}

  @BeforeEach
  void start() throws Exception {
    marathon.start();
    config = dir.resolve("config.yaml");
    Files.writeString(config, """
        marathon: {url: "%s"}
        services:
          cassandra:
            image: cassandra:3.11
            ports-hard: {storage: 7000, native: 9042}
            instances: 2
          hello:
            cmd: python3 -m http.server $PORT_HTTP
            ports: {http: 0}
        """.formatted(marathon.url("/")));
    MdoConfig cfg = ConfigLoader.load(config, Map.of());
    cassandra = AppJson.toApp(ServiceDefinition.of(cfg, cfg.service("cassandra")));
  }

  @AfterEach
  void stop() {
    marathon.close();
  }

  Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Terminal terminal = new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false, Map.of("MDO_CONFIG", config.toString()));
    int code = Main.run(args, terminal, Duration.ofMillis(10));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static JsonNode body(RecordedRequest request) {
    return read(request.getBody().utf8());
  }

  /** Marathon lists the deployment at the first poll, with two instances running, and no more at the second. */
  void enqueueFinishedDeployment(int instances) {
    marathon.enqueue(deployments("/default/cassandra", DEPLOYMENT));
    marathon.enqueue(appResponse(cassandra.deepCopy().put("instances", instances), 2, 2, DEPLOYMENT));
    marathon.enqueue(deployments("/default/cassandra"));
    marathon.enqueue(appResponse(cassandra.deepCopy().put("instances", instances), instances, instances));
  }

  @Test
  void scalesWithAPartialUpdateOfInstancesAndWaits() throws Exception {
    marathon.enqueue(appResponse(cassandra, 2, 2));
    marathon.enqueue(deploymentResult(DEPLOYMENT));
    enqueueFinishedDeployment(3);

    Result r = run("cassandra", "3");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(marathon.takeRequest().getRequestLine()).isEqualTo("GET /v2/apps/default/cassandra HTTP/1.1");
    RecordedRequest put = marathon.takeRequest();
    assertThat(put.getRequestLine()).isEqualTo("PUT /v2/apps/default/cassandra HTTP/1.1");
    assertThat(body(put)).isEqualTo(read("{\"instances\": 3}"));
    assertThat(r.out()).isEqualTo("""
        cassandra: scaling /default/cassandra from 2 to 3 instance(s)
        cassandra: deployment 83b215a6-4e26-4e44-9333-5c385eda6438 started, waiting up to 10m for 3 instances
        cassandra: 2/3 running
        cassandra: 3/3 running (deployment done)
        cassandra: deployment finished, 3/3 running
        """);
  }

  @Test
  void rollsANewImageKeepingTheRestOfTheContainer() throws Exception {
    marathon.enqueue(appResponse(cassandra, 2, 2));
    marathon.enqueue(deploymentResult(DEPLOYMENT));
    enqueueFinishedDeployment(2);

    Result r = run("cassandra", "--image", "cassandra:4.1");

    assertThat(r.code()).as(r.err()).isZero();
    marathon.takeRequest();
    JsonNode sent = body(marathon.takeRequest());
    assertThat(sent.fieldNames()).toIterable().containsExactly("container");
    assertThat(sent.path("container").path("docker").path("image").asText()).isEqualTo("cassandra:4.1");
    assertThat(sent.path("container").path("portMappings").path(0).path("hostPort").asInt()).isEqualTo(7000);
    assertThat(r.out()).startsWith("cassandra: rolling /default/cassandra from image cassandra:3.11 to cassandra:4.1\n");
  }

  @Test
  void restartsThroughMarathonsRestartEndpoint() throws Exception {
    marathon.enqueue(appResponse(cassandra, 2, 2));
    marathon.enqueue(payload(200, "app_restart_response.1.4.json"));
    enqueueFinishedDeployment(2);

    Result r = run("cassandra", "--restart", "--force");

    assertThat(r.code()).as(r.err()).isZero();
    marathon.takeRequest();
    assertThat(marathon.takeRequest().getRequestLine())
        .isEqualTo("POST /v2/apps/default/cassandra/restart?force=true HTTP/1.1");
    assertThat(r.out()).contains("deployment 83b215a6-4e26-4e44-9333-5c385eda6438 started");
  }

  @Test
  void scalingToTheCurrentCountChangesNothing() {
    marathon.enqueue(appResponse(cassandra, 2, 2));

    Result r = run("cassandra", "2");

    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo("cassandra: already at 2 instance(s). No changes.\n");
    assertThat(marathon.getRequestCount()).isEqualTo(1);
  }

  @Test
  void anAppMarathonDoesNotHaveIsNotCreatedByTheUpdater() {
    marathon.enqueue(payload(404, "error_404_app_not_found.json"));

    Result r = run("cassandra", "3");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("cassandra: Marathon has no app /default/cassandra; start it first: launcher cassandra\n");
    assertThat(marathon.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aLockedAppSuggestsForce() {
    marathon.enqueue(appResponse(cassandra, 2, 2));
    marathon.enqueue(payload(409, "error_409_app_locked.1.4.json"));

    Result r = run("cassandra", "5", "--no-wait");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("(HTTP 409)").contains("re-run with --force");
  }

  @Test
  void aNewImageForACommandOnlyServiceIsRefused() {
    marathon.enqueue(appResponse(cassandra.deepCopy().put("id", "/default/hello").without("container"), 1, 1));

    Result r = run("hello", "--image", "nginx");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("runs a command, not a Docker image");
    assertThat(marathon.getRequestCount()).isEqualTo(1);
  }

  @Test
  void badArgumentsAndUnknownServicesSendNothing() {
    assertThat(run("cassandra").err()).contains("say what to change: N, --image IMAGE or --restart");
    assertThat(run("cassandra", "3", "--restart").code()).isEqualTo(2);
    assertThat(run("cassandra", "three").err()).contains("Invalid value for positional parameter at index 1 (N)");
    Result unknown = run("cassandre", "3");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("no service 'cassandre'").contains("Did you mean 'cassandra'?");
    assertThat(marathon.getRequestCount()).isZero();
  }

  @Test
  void helpTeachesByExample() {
    Result r = run("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("updater cassandra 3").contains("--image").contains("--restart");
  }
}
