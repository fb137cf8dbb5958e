package mdo.guestutils;

import static mdo.guestutils.TestRegistry.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mdo.registry.RegistryJson;
import mdo.testkit.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as a start script uses it: subcommands, output lines, exit status and maestro's messages on stderr. */
class CliTest {
  TestRegistry registry;
  Map<String, String> vars;

  @BeforeEach
  void open() {
    registry = new TestRegistry(EtcdServer.shared());
    registry.put(record("zookeeper", "zookeeper.b", 1, "10.0.0.6", "client", 31010, 2181, "peer", 31011, 2888));
    registry.put(record("zookeeper", "zookeeper.a", 0, "10.0.0.5", "client", 31000, 2181, "peer", 31001, 2888));
    vars = new HashMap<>(Map.of("ETCD_ENDPOINTS", registry.etcd.endpoint(), "MDO_ENVIRONMENT", registry.env,
        "SERVICE_NAME", "zookeeper", "MESOS_TASK_ID", "zookeeper.b", "HOST", "10.0.0.6"));
  }

  @AfterEach
  void close() {
    registry.close();
  }

  record Result(int status, String out, String err) {}

  Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(args, new GuestEnv(vars), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(status, out.toString(), err.toString());
  }

  @Test
  void nodeListPrintsOneNodePerLine() {
    assertThat(run("node-list", "zookeeper", "--ports", "client,peer"))
        .isEqualTo(new Result(0, "10.0.0.5:31000:31001\n10.0.0.6:31010:31011\n", ""));
  }

  @Test
  void ownLookups() {
    assertThat(run("port", "peer").out()).isEqualTo("2888\n");
    assertThat(run("port", "jmx", "--default", "7199").out()).isEqualTo("7199\n");
    assertThat(run("ordinal").out()).isEqualTo("1\n");
    assertThat(run("service-name").out()).isEqualTo("zookeeper\n");
    assertThat(run("container-name").out()).isEqualTo("zookeeper.b\n");
    assertThat(run("container-host-address").out()).isEqualTo("10.0.0.6\n");
    assertThat(run("environment-name").out()).isEqualTo(registry.env + "\n");
    assertThat(run("specific-port", "zookeeper", "zookeeper.a", "client").out()).isEqualTo("31000\n");
    assertThat(run("specific-exposed-port", "zookeeper", "zookeeper.a", "client").out()).isEqualTo("2181\n");
    assertThat(run("specific-host", "zookeeper", "zookeeper-0").out()).isEqualTo("10.0.0.5\n");
  }

  @Test
  void lookupErrorsExitOneWithMaestrosMessage() {
    Result r = run("port", "jmx");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("guestutils: No internal port jmx defined for container zookeeper.b of service zookeeper\n");
    Result nodes = run("node-list", "kafka", "--timeout", "0");
    assertThat(nodes.status()).isEqualTo(1);
    assertThat(nodes.err()).startsWith("guestutils: No or not enough kafka nodes configured");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run("node-list").status()).isEqualTo(2);
    assertThat(run("node-list", "x", "--timeout", "soon").err()).contains("expected a duration such as 30s, 2m, 1h or a number of seconds, got 'soon'");
    assertThat(run("no-such-command").status()).isEqualTo(2);
  }

  @Test
  void helpTeachesByExample() {
    assertThat(run("--help").out()).contains("node-list", "watch", "register-callback", "Examples:");
    assertThat(run("node-list", "--help").out()).contains("guestutils node-list zookeeper --ports client");
  }

  @Test
  void watchRunsTheCommandWithMembersInItsEnvironmentAndJsonOnStdin(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("changes.log");
    CompletableFuture<Result> watch = CompletableFuture.supplyAsync(() -> run("watch", "zookeeper", "--ports", "client",
        "--count", "2", "--debounce", "50ms",
        "--exec", "echo \"$MDO_WATCH_SERVICE|$MDO_WATCH_MEMBERS|$MDO_WATCH_ADDED|$MDO_WATCH_REMOVED|$MDO_WATCH_DELTA\" >> " + log
            + "; cat > " + dir.resolve("stdin-$MDO_WATCH_REVISION.json")));
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> Files.exists(log));
    registry.delete("zookeeper", "zookeeper.a");
    Result result = watch.get(20, TimeUnit.SECONDS);
    assertThat(result.status()).as(result.err()).isEqualTo(0);
    assertThat(Files.readAllLines(log)).containsExactly(
        "zookeeper|10.0.0.5:31000,10.0.0.6:31010|10.0.0.5:31000,10.0.0.6:31010||2",
        "zookeeper|10.0.0.6:31010||10.0.0.5:31000|-1");
    try (var files = Files.list(dir)) {
      List<Path> stdins = files.filter(p -> p.getFileName().toString().startsWith("stdin-")).sorted().toList();
      assertThat(stdins).hasSize(2);
      JsonNode last = RegistryJson.MAPPER.readTree(Files.readString(stdins.get(1)));
      assertThat(last.path("service").asText()).isEqualTo("zookeeper");
      assertThat(last.path("removed").get(0).path("taskId").asText()).isEqualTo("zookeeper.a");
      assertThat(last.path("revision").asLong()).isPositive();
    }
  }

  @Test
  void watchTakesServicesFromWatchesLikeTheSeed() throws Exception {
    vars.put("WATCHES", "zookeeper,kafka");
    registry.put(record("kafka", "kafka.a", 0, "10.0.2.1", "broker", 31092, 9092));
    Result r = CompletableFuture.supplyAsync(() -> run("watch", "--count", "2")).get(20, TimeUnit.SECONDS);
    assertThat(r.out().lines().map(l -> {
      try {
        return RegistryJson.MAPPER.readTree(l).path("service").asText();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }).sorted().toList()).containsExactly("kafka", "zookeeper");
  }
}
