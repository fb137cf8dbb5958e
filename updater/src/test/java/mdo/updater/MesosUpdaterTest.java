package mdo.updater;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mdo.cluster.ClusterBackend;
import mdo.cluster.ServiceDefinition;
import mdo.command.Terminal;
import mdo.config.ConfigLoader;
import mdo.config.MdoConfig;
import mdo.registry.Etcd;
import mdo.registry.EtcdSettings;
import mdo.registry.RegistryJson;
import mdo.testkit.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code updater} with {@code backend: mesos} against a real etcd: the desired state it writes for each change (a
 * scale keeps the configuration version, an image or a restart gets a new one), and the refusals {@link UpdaterTest}
 * checks with Marathon. The framework's part is played by writing its progress key as it does, done for the deployment.
 */
class MesosUpdaterTest {
  static final EtcdServer ETCD = EtcdServer.shared();

  @TempDir Path dir;
  Path config;
  String env;
  Client etcd;

  record Result(int code, String out, String err) {}

  @BeforeEach
  void setUp(TestInfo test) throws Exception {
    env = "updater-" + test.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z0-9]", "");
    config = dir.resolve("config.yaml");
    Files.writeString(config, """
        environment: %s
        backend: mesos
        etcd: {endpoints: ["%s"]}
        services:
          cassandra:
            image: cassandra:3.11
            ports-hard: {storage: 7000, native: 9042}
            instances: 2
          hello:
            cmd: python3 -m http.server $PORT_HTTP
            network: host
            ports: {http: 0}
        """.formatted(env, ETCD.endpoint()));
    etcd = Etcd.client(EtcdSettings.of(ETCD.endpoint()));
  }

  @AfterEach
  void tearDown() {
    etcd.close();
  }

  Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Terminal terminal = new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false, Map.of("MDO_CONFIG", config.toString()));
    int code = Main.run(args, terminal, Duration.ofMillis(20));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  com.fasterxml.jackson.databind.JsonNode desired(String service) throws Exception {
    var kvs = etcd.getKVClient().get(Etcd.bytes("/mdo/" + env + "/framework/services/" + service))
        .get(5, TimeUnit.SECONDS).getKvs();
    return RegistryJson.MAPPER.readTree(kvs.get(0).getValue().getBytes());
  }

  /** Creates the service's desired state as launcher does, then reports the deployment done as the framework would. */
  void launched(String service) throws Exception {
    MdoConfig cfg = ConfigLoader.load(config, Map.of());
    try (ClusterBackend backend = ClusterBackend.open(cfg, Duration.ofMillis(20))) {
      backend.create(ServiceDefinition.of(cfg, cfg.service(service)));
    }
    done(service);
  }

  void done(String service) throws Exception {
    var d = desired(service);
    String progress = """
        {"service":"%s","deploymentId":"%s","version":"%s","wanted":%d,"running":%d,"healthy":0,"staged":0,"old":0,
         "healthChecked":false,"done":true,"pending":0}""".formatted(service, d.path("deploymentId").asText(),
        d.path("version").asText(), d.at("/definition/instances").asInt(), d.at("/definition/instances").asInt());
    etcd.getKVClient().put(Etcd.bytes("/mdo/" + env + "/framework/progress/" + service),
        ByteSequence.from(progress, StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
  }

  @Test
  void scalingKeepsTheConfigurationVersionAndAnImageGetsANewOne() throws Exception {
    launched("cassandra");
    var first = desired("cassandra");

    Result up = run("--no-wait", "cassandra", "3");
    assertThat(up.code()).as(up.err()).isZero();
    assertThat(up.out()).startsWith("cassandra: scaling /" + env + "/cassandra from 2 to 3 instance(s)\n")
        .contains(" accepted by mdo framework (not waiting: --no-wait)");
    var scaled = desired("cassandra");
    assertThat(scaled.at("/definition/instances").asInt()).isEqualTo(3);
    assertThat(scaled.path("configVersion")).as("a scale replaces no task").isEqualTo(first.path("configVersion"));
    assertThat(scaled.path("version").asText()).isGreaterThan(first.path("version").asText());
    assertThat(scaled.path("servicePorts")).isEqualTo(first.path("servicePorts"));
    done("cassandra");

    Result image = run("--no-wait", "cassandra", "--image", "cassandra:4.1");
    assertThat(image.code()).as(image.err()).isZero();
    assertThat(image.out()).startsWith("cassandra: rolling /" + env + "/cassandra from image cassandra:3.11 to"
        + " cassandra:4.1\n");
    var rolled = desired("cassandra");
    assertThat(rolled.at("/definition/image").asText()).isEqualTo("cassandra:4.1");
    assertThat(rolled.path("configVersion")).isEqualTo(rolled.path("version"));
    done("cassandra");

    Result restart = run("--no-wait", "cassandra", "--restart");
    assertThat(restart.code()).as(restart.err()).isZero();
    var restarted = desired("cassandra");
    assertThat(restarted.path("definition")).isEqualTo(rolled.path("definition"));
    assertThat(restarted.path("configVersion").asText()).isGreaterThan(rolled.path("configVersion").asText());
  }

  @Test
  void scalingToTheCurrentCountChangesNothing() throws Exception {
    launched("cassandra");
    var before = desired("cassandra");

    Result r = run("cassandra", "2");

    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo("cassandra: already at 2 instance(s). No changes.\n");
    assertThat(desired("cassandra")).isEqualTo(before);
  }

  @Test
  void aServiceWithoutDesiredStateIsNotCreatedByTheUpdater() {
    Result r = run("cassandra", "3");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("cassandra: mdo framework has no app /" + env + "/cassandra; start it first:"
        + " launcher cassandra\n");
  }

  @Test
  void aNewImageForACommandOnlyServiceIsRefused() throws Exception {
    launched("hello");

    Result r = run("hello", "--image", "nginx");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("runs a command, not a Docker image");
  }
}
