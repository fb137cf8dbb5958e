package mdo.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * {@code launcher} against the dev cluster behaving as Marathon 1.4, 1.7, 1.9 and 1.10, as strict as they are: one
 * agent (so fixed host ports and {@code hostname:UNIQUE} leave no room for a second instance), upgrades counted as
 * TaskReplaceActor counts them, Mesos health checks that wait {@code delaySeconds}, Marathon's validation and its
 * deployment limit.
 */
class ReleasesTest {
  /** The agent's ports; fixed host ports come from here (other modules' tests use other ranges). */
  static final int AGENT_PORTS_START = 38000;
  static final int AGENT_PORTS_END = 38999;

  @TempDir Path dir;
  final List<DevCluster> clusters = new ArrayList<>();
  DevCluster cluster;
  MarathonApi api;

  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  @AfterEach
  void stop() {
    clusters.forEach(DevCluster::close);
  }

  void start(String release) {
    start(MarathonFlags.defaults(MarathonVersion.parse(release)));
  }

  void start(MarathonFlags flags) {
    cluster = DevCluster.start(Settings.defaults(dir.resolve("devcluster")).withPort(0)
        .withPortRange(AGENT_PORTS_START, AGENT_PORTS_END).withHeartbeat(Duration.ofSeconds(1))
        .withDefaultKillGrace(Duration.ofSeconds(1)).withMarathon(flags));
    clusters.add(cluster);
    api = new MarathonApi(cluster.url());
  }

  static int freeAgentPort() {
    return MarathonApi.freePort(AGENT_PORTS_START, AGENT_PORTS_END);
  }

  Path config(String services) {
    Path file = dir.resolve("config.yaml");
    try {
      Files.writeString(file, """
          environment: rel
          marathon: {url: "%s"}
          etcd: {endpoints: [http://127.0.0.1:2379]}
          services:
          %s""".formatted(cluster.url(), services.indent(2)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  Result launch(Path config, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Terminal terminal = new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false, Map.of());
    List<String> all = new ArrayList<>(List.of("--config", config.toString()));
    all.addAll(List.of(args));
    int code = Main.run(all.toArray(String[]::new), terminal, Duration.ofMillis(200));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  HttpResponse<String> call(String method, String path, String body) {
    return api.call(method, path, body);
  }

  JsonNode get(String path) {
    return api.get(path);
  }

  List<String> taskIds(String appId) {
    List<String> ids = new ArrayList<>();
    get("/v2/apps" + appId + "/tasks").path("tasks").forEach(t -> ids.add(t.path("id").asText()));
    return ids;
  }

  /**
   * A ZooKeeper-style service: a fixed host port, one instance per host. Marathon's default strategy would start the
   * new instance before stopping the old one, and on a cluster with no host to spare wait forever (issue 11, item 1).
   */
  @ParameterizedTest(name = "Marathon {0}")
  @ValueSource(strings = {"1.7", "1.9", "1.10"})
  void aChangedHardPortServiceRollsOutOnAClusterWithoutAFreeHost(String release) {
    start(release);
    int port = freeAgentPort();
    String service = """
        zk:
          cmd: exec sleep 600
          ports-hard: {client: %d}
          environment: {GENERATION: "%d"}
        """;
    Result first = launch(config(service.formatted(port, 1)), "zk");
    assertThat(first.code()).as(first.toString()).isZero();
    List<String> before = taskIds("/rel/zk");

    Result second = launch(config(service.formatted(port, 2)), "--timeout", "40s", "zk");

    assertThat(second.code()).as(second.toString()).isZero();
    assertThat(second.out()).contains("env.GENERATION: 1 -> 2").contains("deployment finished, 1/1 running");
    JsonNode task = get("/v2/apps/rel/zk/tasks").path("tasks").get(0);
    assertThat(task.path("id").asText()).isNotIn(before);
    assertThat(task.path("ports").get(0).asInt()).isEqualTo(port);
    assertThat(get("/v2/apps/rel/zk").path("app").path("upgradeStrategy").toString())
        .isEqualTo("{\"minimumHealthCapacity\":0.0,\"maximumOverCapacity\":0.0}");
  }

  /** {@code PUT ?partialUpdate=false} resets what it is not sent: a strategy set by hand is sent back as it is. */
  @Test
  void aStrategySetByHandSurvivesAChangeWhenConfigSaysNothing() {
    start("1.10");
    String service = """
        web:
          cmd: exec sleep 600
          ports: {http: 0}
          instances: 2
          environment: {GENERATION: "%d"}
        """;
    assertThat(launch(config(service.formatted(1)), "web").code()).isZero();
    HttpResponse<String> byHand = call("PATCH", "/v2/apps/rel/web",
        "{\"upgradeStrategy\":{\"minimumHealthCapacity\":0.5,\"maximumOverCapacity\":0}}");
    assertThat(byHand.statusCode()).as(byHand.body()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).until(() -> get("/v2/deployments").isEmpty()); // a strategy change rolls out

    Result r = launch(config(service.formatted(2)), "web");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(get("/v2/apps/rel/web").path("app").path("upgradeStrategy").toString())
        .isEqualTo("{\"minimumHealthCapacity\":0.5,\"maximumOverCapacity\":0.0}");
  }

  /**
   * Mesos health checks wait {@code delaySeconds} (Marathon's default 15) before the first check, and the deployment
   * waits for it. mdo sends {@code health.delay} (default 2 s). Marathon 1.4 reads it too, in its own format.
   */
  @ParameterizedTest(name = "Marathon {0}")
  @ValueSource(strings = {"1.4", "1.10"})
  void aHealthCheckedServiceIsReadyWithoutWaitingMarathonsDefaultDelay(String release) {
    start(release);
    Path config = config("""
        checked:
          cmd: exec sleep 600
          ports: {http: 0}
          health: {protocol: command, command: "true", grace: 30s, interval: 5s}
          marathon-format: "%s"
        """.formatted(release.equals("1.4") ? "1.4" : "1.5"));

    long started = System.nanoTime();
    Result r = launch(config, "checked");
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("1/1 healthy");
    assertThat(get("/v2/apps/rel/checked").path("app").path("healthChecks").get(0).path("delaySeconds").asInt())
        .isEqualTo(2);
    assertThat(took).as("Marathon's 15 s delay would hold the deployment back").isLessThan(Duration.ofSeconds(12));
    assertThat(launch(config, "checked").out()).isEqualTo("checked: No changes.\n");
  }

  /** Fixed and free host ports cannot mix with host networking on Marathon: refused before anything is sent. */
  @Test
  void hostNetworkingWithFreeAndFixedPortsIsRefusedBeforeItReachesMarathon() {
    start("1.10");
    Result r = launch(config("""
        mixed:
          cmd: exec sleep 600
          ports: {http: 0}
          ports-hard: {peer: %d}
        """.formatted(freeAgentPort())), "--timeout", "20s", "mixed");

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("services.mixed.ports: with host networking Marathon cannot give [http] a free host"
        + " port");
    assertThat(call("GET", "/v2/apps/rel/mixed", null).statusCode()).isEqualTo(404);
  }

  /** Only fixed ports with host networking: what Marathon answers reads back as no change, and the task launches. */
  @Test
  void hostNetworkingWithFixedPortsLaunchesAndReadsBackUnchanged() {
    start("1.10");
    Path config = config("""
        pinned:
          cmd: exec sleep 600
          ports-hard: {peer: %d}
        """.formatted(freeAgentPort()));

    Result first = launch(config, "--timeout", "30s", "pinned");

    assertThat(first.code()).as(first.toString()).isZero();
    assertThat(launch(config, "pinned").out()).isEqualTo("pinned: No changes.\n");
  }

  /** What Marathon's validation refuses with 422 is bad config: exit 2, the field named, nothing sent. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"[rack, MAX_PER, two]", "[rack, GROUP_BY, \"1.5\"]", "[rack, LIKE, \"r[1\"]",
      "[rack, IS, \"a b\"]"})
  void constraintsMarathonRefusesAreBadConfig(String constraint) {
    start("1.10");
    Result r = launch(config("""
        web:
          cmd: exec sleep 600
          constraints: [%s]
        """.formatted(constraint)), "web");

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("services.web.constraints[0]:");
    assertThat(call("GET", "/v2/apps/rel/web", null).statusCode()).isEqualTo(404);
  }

  @Test
  void aOneCharacterCommandIsBadConfig() {
    start("1.10");
    Result r = launch(config("web:\n  cmd: x\n"), "web");

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(call("GET", "/v2/apps/rel/web", null).statusCode()).isEqualTo(404);
  }

  /** At {@code --max_running_deployments} Marathon refuses every change with 403: not a permissions problem. */
  @ParameterizedTest(name = "Marathon {0}")
  @ValueSource(strings = {"1.6", "1.10"})
  void theDeploymentLimitIsToldApartFromPermissions(String release) {
    start(MarathonFlags.defaults(MarathonVersion.parse(release)).withMaxRunningDeployments(1));
    Path config = config("""
        stuck:
          cmd: exec sleep 600
          health: {protocol: command, command: "false", grace: 10m}
        other:
          cmd: exec sleep 600
        """);
    assertThat(launch(config, "--no-wait", "stuck").code()).isZero();

    Result r = launch(config, "other");

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("HTTP 403").contains("Max number (1) of running deployments")
        .contains("not a permissions problem").doesNotContain("check the account's permissions");
  }
}
