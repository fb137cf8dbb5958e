package mdo.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import mdo.command.Terminal;
import mdo.devcluster.DevCluster;
import mdo.devcluster.MarathonFlags;
import mdo.devcluster.MarathonVersion;
import mdo.devcluster.Settings;
import mdo.testkit.MarathonApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code updater} against the dev cluster behaving as Marathon 1.7, 1.9 and 1.10 on one agent: a service with a fixed
 * host port that an older mdo (or a person) left with Marathon's default upgrade strategy, restarted and rolled to a
 * new image, and a change forced over a deployment that cannot finish.
 */
class ReleasesTest {
  /** The agent's ports (other modules' tests use other ranges). */
  static final int AGENT_PORTS_START = 39000;
  static final int AGENT_PORTS_END = 39499;

  @TempDir Path dir;
  DevCluster cluster;
  MarathonApi api;
  Path config;

  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  @AfterEach
  void stop() {
    if (cluster != null) cluster.close();
  }

  void start(String release) throws IOException {
    cluster = DevCluster.start(Settings.defaults(dir.resolve("devcluster")).withPort(0)
        .withPortRange(AGENT_PORTS_START, AGENT_PORTS_END).withHeartbeat(Duration.ofSeconds(1))
        .withDefaultKillGrace(Duration.ofSeconds(1))
        .withMarathon(MarathonFlags.defaults(MarathonVersion.parse(release))));
    api = new MarathonApi(cluster.url());
    config = dir.resolve("config.yaml");
    Files.writeString(config, """
        environment: rel
        marathon: {url: "%s"}
        services:
          zk:
            image: zookeeper:3.4
            cmd: exec sleep 600
            ports-hard: {client: 2181}
        """.formatted(cluster.url()));
  }

  static int freeAgentPort() {
    return MarathonApi.freePort(AGENT_PORTS_START, AGENT_PORTS_END);
  }

  Result update(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Terminal terminal = new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false, Map.of("MDO_CONFIG", config.toString()));
    int code = Main.run(args, terminal, Duration.ofMillis(200));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  HttpResponse<String> call(String method, String path, String body) {
    return api.call(method, path, body);
  }

  JsonNode get(String path) {
    return api.get(path);
  }

  /**
   * The app as mdo made it before it sent an upgrade strategy: Docker bridge networking, the host port fixed, one
   * instance per host, Marathon's default strategy (1 / 1). The dev cluster runs its {@code cmd} as a local process.
   */
  void createAsOlderMdoDid(int hostPort) {
    HttpResponse<String> created = call("POST", "/v2/apps", """
        {"id": "/rel/zk", "cmd": "exec sleep 600", "instances": 1,
         "labels": {"MDO_SERVICE": "zk", "MDO_ENVIRONMENT": "rel"},
         "constraints": [["hostname", "UNIQUE"]],
         "networks": [{"mode": "container/bridge"}],
         "container": {"type": "DOCKER", "docker": {"image": "zookeeper:3.4"},
                       "portMappings": [{"containerPort": 2181, "hostPort": %d, "name": "client"}]}}
        """.formatted(hostPort));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(30)).until(() -> get("/v2/deployments").isEmpty());
    assertThat(get("/v2/apps/rel/zk").path("app").path("upgradeStrategy").toString())
        .isEqualTo("{\"minimumHealthCapacity\":1.0,\"maximumOverCapacity\":1.0}");
  }

  String taskId() {
    return get("/v2/apps/rel/zk/tasks").path("tasks").get(0).path("id").asText();
  }

  /**
   * {@code --restart} of such an app would keep the old instance until a new one runs, which needs the host the old
   * one holds: it would wait forever. The updater changes the strategy instead, which replaces every instance too.
   */
  @ParameterizedTest(name = "Marathon {0}")
  @ValueSource(strings = {"1.7", "1.9", "1.10"})
  void aRestartOfAHardPortAppLeftWithMarathonsDefaultGetsThrough(String release) throws IOException {
    start(release);
    int port = freeAgentPort();
    createAsOlderMdoDid(port);
    String before = taskId();

    Result r = update("zk", "--restart", "--timeout", "40s");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(taskId()).isNotEqualTo(before);
    JsonNode app = get("/v2/apps/rel/zk").path("app");
    assertThat(app.path("upgradeStrategy").toString())
        .isEqualTo("{\"minimumHealthCapacity\":0.0,\"maximumOverCapacity\":0.0}");
    assertThat(app.path("tasksRunning").asInt()).isEqualTo(1);
    assertThat(get("/v2/apps/rel/zk/tasks").path("tasks").get(0).path("ports").get(0).asInt()).isEqualTo(port);
  }

  @ParameterizedTest(name = "Marathon {0}")
  @ValueSource(strings = {"1.7", "1.10"})
  void aNewImageForAHardPortAppLeftWithMarathonsDefaultGetsThrough(String release) throws IOException {
    start(release);
    createAsOlderMdoDid(freeAgentPort());
    String before = taskId();

    Result r = update("zk", "--image", "zookeeper:3.5", "--timeout", "40s");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(taskId()).isNotEqualTo(before);
    assertThat(get("/v2/apps/rel/zk").path("app").path("container").path("docker").path("image").asText())
        .isEqualTo("zookeeper:3.5");
  }

  /** A scale keeps whatever strategy the app has: changing it would replace every instance. */
  @Test
  void aScaleLeavesTheStrategyAlone() throws IOException {
    start("1.10");
    createAsOlderMdoDid(freeAgentPort());
    String before = taskId();

    Result r = update("zk", "0", "--timeout", "40s");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(get("/v2/apps/rel/zk").path("app").path("upgradeStrategy").toString())
        .isEqualTo("{\"minimumHealthCapacity\":1.0,\"maximumOverCapacity\":1.0}");
    assertThat(get("/v2/apps/rel/zk/tasks").path("tasks").toString()).doesNotContain(before);
  }

  /**
   * {@code --force} over a deployment that cannot finish: the forced one is waited for until it is done (here it
   * replaces the instance), not taken as done because the instance it replaces runs.
   */
  @ParameterizedTest(name = "Marathon {0}")
  @ValueSource(strings = {"1.7", "1.10"})
  void aForcedRestartOverAStuckDeploymentWaitsForItsOwnDeployment(String release) throws IOException {
    start(release);
    createAsOlderMdoDid(freeAgentPort());
    String before = taskId();
    // Marathon's own restart with the default strategy: stuck, the new instance finds no free host
    assertThat(call("POST", "/v2/apps/rel/zk/restart", "{}").statusCode()).isEqualTo(200);
    assertThat(get("/v2/deployments")).hasSize(1);

    Result r = update("zk", "--restart", "--force", "--timeout", "40s");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(get("/v2/deployments")).isEmpty();
    assertThat(taskId()).isNotEqualTo(before);
  }
}
