package mdo.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mdo.command.Terminal;
import mdo.registry.Etcd;
import mdo.registry.EtcdSettings;
import mdo.testkit.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code launcher} with {@code backend: mesos} against a real etcd, before any framework runs: what it writes, what it
 * refuses and how it says so. Waiting for the framework is covered where one runs (mdo.e2e's Mesos tests).
 */
class MesosLauncherTest {
  static final EtcdServer ETCD = EtcdServer.shared();

  @TempDir Path dir;
  Path config;
  String env;
  Client etcd;

  record Result(int code, String out, String err) {}

  @BeforeEach
  void setUp(TestInfo test) throws Exception {
    env = "launcher-" + test.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z0-9]", "");
    config = write(ETCD.endpoint(), "backend: mesos");
    etcd = Etcd.client(new EtcdSettings(List.of(URI.create(ETCD.endpoint())), null, null, null, null, null));
  }

  @AfterEach
  void tearDown() {
    etcd.close();
  }

  Path write(String etcdEndpoint, String backendLine) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, """
        environment: %s
        %s
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
        """.formatted(env, backendLine, etcdEndpoint));
    return file;
  }

  Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Terminal terminal = new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false, Map.of("MDO_CONFIG", config.toString()));
    int code = Main.run(args, terminal, Duration.ofMillis(20));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  long keys(String prefix) throws Exception {
    return etcd.getKVClient().get(Etcd.bytes(prefix), GetOption.builder().isPrefix(true).withCountOnly(true).build())
        .get(5, TimeUnit.SECONDS).getCount();
  }

  String desired(String service) throws Exception {
    var kvs = etcd.getKVClient().get(Etcd.bytes("/mdo/" + env + "/framework/services/" + service))
        .get(5, TimeUnit.SECONDS).getKvs();
    return kvs.isEmpty() ? null : kvs.get(0).getValue().toString();
  }

  @Test
  void dryRunPrintsTheDesiredStateAndWritesNothing() throws Exception {
    Result r = run("--dry-run", "cassandra");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("# /mdo/" + env + "/framework/services/cassandra\n")
        .contains("\"version\" : \"(assigned when written)\"")
        .contains("\"image\" : \"cassandra:3.11\"").contains("\"hostPort\" : 9042")
        .contains("[ \"hostname\", \"UNIQUE\" ]");
    assertThat(keys("/mdo/" + env + "/")).isZero();
  }

  @Test
  void aNewServiceIsWrittenOnceAndThenHasNoChanges() throws Exception {
    Result first = run("--no-wait", "hello");

    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out()).startsWith("hello: creating /" + env + "/hello\n")
        .contains(" accepted by mdo framework (not waiting: --no-wait)");
    String written = desired("hello");
    assertThat(written).contains("\"service\":\"hello\"").contains("\"instances\":1");

    Result again = run("hello");
    assertThat(again.code()).isZero();
    assertThat(again.out()).isEqualTo("hello: No changes.\n");
    assertThat(desired("hello")).isEqualTo(written);
  }

  @Test
  void aChangeWhileTheLastIsNotDoneIsRefusedUnlessForced() throws Exception {
    assertThat(run("--no-wait", "cassandra").code()).isZero();
    Files.writeString(config, Files.readString(config).replace("instances: 2", "instances: 2\n    cpus: 0.5"));
    String before = desired("cassandra");

    Result refused = run("--no-wait", "cassandra");

    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.out()).contains("cassandra: updating /" + env + "/cassandra\n  cpus: 0.3 -> 0.5\n");
    assertThat(refused.err()).contains("Another deployment (").contains(") is still changing /" + env
        + "/cassandra: the framework has not reported on it yet (is bin/framework running for environment '" + env
        + "'?).\nWait for it, or re-run with --force to deploy anyway.");
    assertThat(desired("cassandra")).isEqualTo(before);

    Result forced = run("--no-wait", "--force", "cassandra");
    assertThat(forced.code()).as(forced.err()).isZero();
    assertThat(desired("cassandra")).contains("\"cpus\":0.5");
  }

  @Test
  void waitingWithoutAFrameworkSaysSoOnceAndTimesOutWithExitOne() {
    Result r = run("--timeout", "2s", "hello");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).containsOnlyOnce("hello: mdo framework unreachable, retrying (no bin/framework leads"
        + " environment '" + env + "' (nothing at /mdo/" + env + "/leaders/framework); the deployment waits for one)");
    assertThat(r.err()).contains("hello: FAILED: timed out after 2s waiting for /" + env + "/hello.")
        .contains("The framework never reported on deployment ").contains("is bin/framework running for environment '"
            + env + "'?");
  }

  @Test
  void backendOptionOverridesTheConfig() throws Exception {
    config = write(ETCD.endpoint(), "backend: marathon");

    Result r = run("--backend", "mesos", "--no-wait", "hello");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(desired("hello")).contains("\"service\":\"hello\"");
  }

  @Test
  void anUnknownBackendOptionIsAUsageErrorBeforeAnythingIsRead() {
    Result r = run("--backend", "kubernetes", "hello");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("unknown backend 'kubernetes'; mdo knows marathon, mesos");
  }

  @Test
  void etcdDownFailsWithWhereTheStateLives() throws Exception {
    config = write("http://127.0.0.1:1", "backend: mesos");

    Result r = run("--no-wait", "hello");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("hello: etcd ").contains("The mdo framework keeps its desired state in etcd; is etcd"
        + " running? Check etcd.endpoints in " + config + ".");
  }
}
