package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import mdo.cluster.ServiceDefinition;
import mdo.config.ConfigLoader;
import mdo.config.MarathonSettings;
import mdo.config.MdoConfig;
import mdo.config.SubscriberSettings;
import mdo.devcluster.DevCluster;
import mdo.devcluster.MarathonFlags;
import mdo.devcluster.MarathonVersion;
import mdo.devcluster.Settings;
import mdo.marathon.AppJson;
import mdo.registry.EtcdSettings;
import mdo.testkit.EtcdServer;
import mdo.testkit.MarathonApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The subscriber against the dev cluster behaving as plain Marathon 1.7, 1.9 and 1.10 (no {@code task_killing}), with a
 * real etcd: apps as launcher sends them (config.yaml through {@link AppJson}), changes as updater sends them.
 */
class ReleasesTest {
  private static final AtomicInteger ENVS = new AtomicInteger();

  @TempDir Path dir;
  final String env = "rel" + ENVS.incrementAndGet() + "x" + ProcessHandle.current().pid();
  DevCluster cluster;
  MarathonApi marathon;
  MarathonApi registry;
  Subscriber subscriber;

  @AfterEach
  void stop() {
    if (subscriber != null) subscriber.close();
    if (cluster != null) cluster.close();
  }

  void start(String release) {
    cluster = DevCluster.start(Settings.defaults(dir.resolve("devcluster")).withPort(0).withPortRange(39500, 39999)
        .withHeartbeat(Duration.ofSeconds(1)).withDefaultKillGrace(Duration.ofSeconds(10))
        .withMarathon(MarathonFlags.defaults(MarathonVersion.parse(release))));
    SubscriberSettings settings = new SubscriberSettings("127.0.0.1", 0, null, "t0ken",
        SubscriberSettings.EventSource.SSE, Duration.ofSeconds(60), null, Duration.ofSeconds(10), List.of());
    MarathonSettings marathonSettings = new MarathonSettings(List.of(URI.create(cluster.url())), null, null, null, null,
        Duration.ofSeconds(5));
    subscriber = new Subscriber(new SubscriberConfig(EtcdSettings.of(EtcdServer.shared().endpoint()), marathonSettings,
        settings, env, Harness.fastTuning())).start();
    this.marathon = new MarathonApi(cluster.url());
    this.registry = new MarathonApi("http://127.0.0.1:" + subscriber.port());
  }

  /** The app launcher would send for {@code service} written in config.yaml. */
  ObjectNode app(String service) {
    try {
      Path config = dir.resolve("config.yaml");
      Files.writeString(config, "environment: " + env + "\nservices:\n" + service.indent(2));
      MdoConfig cfg = ConfigLoader.load(config, Map.of());
      return AppJson.toApp(ServiceDefinition.of(cfg, cfg.services().values().iterator().next()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The service's registered instances, as {@code /v1/services/{name}} lists them (none when it has none). */
  List<JsonNode> instances(String service) {
    HttpResponse<String> r = registry.call("GET", "/v1/services/" + service, null);
    List<JsonNode> out = new ArrayList<>();
    if (r.statusCode() == 200) MarathonApi.json(r).path("instances").forEach(out::add);
    return out;
  }

  /**
   * Plain Marathon sends no TASK_KILLING: a task being stopped stays TASK_RUNNING until it is gone. The instance a
   * scale-down (as updater sends it) stops is marked draining while it stops: from 1.8 by the goal change Marathon
   * reports, before that by the deployment step and Marathon's choice of whom to kill.
   */
  @ParameterizedTest(name = "Marathon {0}")
  @ValueSource(strings = {"1.7", "1.9", "1.10"})
  void anInstanceAScaleDownStopsDrainsUntilItIsGone(String release) throws Exception {
    start(release);
    // Stopping takes 3 s: the task traps SIGTERM and says when the trap is set.
    ObjectNode app = app("""
        web:
          cmd: "trap 'sleep 3; exit 0' TERM; touch trapped; while true; do sleep 0.1; done"
          ports: {http: 0}
          instances: 2
        """);
    String appId = app.path("id").asText();
    assertThat(marathon.call("POST", "/v2/apps", app.toString()).statusCode()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(30)).until(() -> instances("web").size() == 2
        && instances("web").stream().allMatch(i -> trapped(i.path("taskId").asText())));
    assertThat(instances("web")).noneMatch(i -> i.path("draining").asBoolean());

    assertThat(marathon.call("PUT", "/v2/apps" + appId, "{\"instances\":1}").statusCode()).isEqualTo(200);

    JsonNode draining = await().atMost(Duration.ofSeconds(10)).until(
        () -> instances("web").stream().filter(i -> i.path("draining").asBoolean()).findFirst().orElse(null),
        i -> i != null);
    assertThat(draining.path("state").asText()).as("plain Marathon: still running").isEqualTo("TASK_RUNNING");
    assertThat(draining.path("ready").asBoolean()).isFalse();
    String stopping = draining.path("taskId").asText();
    await().atMost(Duration.ofSeconds(20)).until(() -> instances("web").size() == 1);
    assertThat(instances("web").get(0).path("taskId").asText()).isNotEqualTo(stopping);
    assertThat(instances("web").get(0).path("draining").asBoolean()).isFalse();
  }

  private boolean trapped(String taskId) {
    return Files.exists(dir.resolve("devcluster").resolve("tasks").resolve(taskId).resolve("trapped"));
  }

  /**
   * A service that cannot launch says why on {@code /info} and {@code /v1/services}: here a fixed host port the agent
   * does not offer, which Marathon's queue reports as InsufficientPorts.
   */
  @Test
  void aServiceShortOfInstancesShowsWhatMarathonsQueueSays() {
    start("1.10");
    ObjectNode app = app("""
        zk:
          cmd: exec sleep 600
          ports-hard: {client: 2181}
        """);
    assertThat(marathon.call("POST", "/v2/apps", app.toString()).statusCode()).isEqualTo(201);
    JsonNode waiting = await().atMost(Duration.ofSeconds(20)).until(
        () -> MarathonApi.json(registry.call("GET", "/v1/services/zk", null)).path("waiting"),
        w -> w.path("declined").path("InsufficientPorts").asInt() > 0);

    assertThat(waiting.path("count").asInt()).isEqualTo(1);
    assertThat(waiting.path("summary").asText()).startsWith("1 instance waiting: InsufficientPorts on ");
    assertThat(registry.get("/v1/services").path("services").path("zk").path("instances")).isEmpty();
    assertThat(registry.call("GET", "/info", null).body()).contains("Marathon&#39;s launch queue: 1 instance waiting:"
        + " InsufficientPorts on");
  }
}
