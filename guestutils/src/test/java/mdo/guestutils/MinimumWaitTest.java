package mdo.guestutils;

import static mdo.guestutils.TestRegistry.record;
import static mdo.guestutils.TestRegistry.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mdo.testkit.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code minimum} blocks until enough ready members exist, or fails at the timeout naming what it saw. */
class MinimumWaitTest {
  TestRegistry registry;

  @BeforeEach
  void open() {
    registry = new TestRegistry(EtcdServer.shared());
  }

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void waitsForTheThirdMemberThenAnswers() throws Exception {
    registry.put(record("cassandra", "cassandra.a", 0, "10.0.1.1", "storage", 7000, 7000));
    registry.put(record("cassandra", "cassandra.b", 1, "10.0.1.2", "storage", 7000, 7000));
    GuestUtils guest = registry.guest(Map.of());
    CompletableFuture<List<String>> nodes = CompletableFuture.supplyAsync(() ->
        guest.getNodeList("cassandra", List.of("storage"), 3, NodeQuery.defaults().withTimeout(Duration.ofSeconds(20))));
    Thread.sleep(400);
    assertThat(nodes).isNotDone();
    registry.put(record("cassandra", "cassandra.c", 2, "10.0.1.3", "storage", 7000, 7000));
    assertThat(nodes.get(10, TimeUnit.SECONDS)).containsExactly("10.0.1.1:7000", "10.0.1.2:7000", "10.0.1.3:7000");
  }

  @Test
  void timesOutNamingTheServiceAndWhatItSaw() {
    registry.put(record("zookeeper", "zookeeper.a", 0, "10.0.0.5", "client", 31000, 2181));
    registry.put(with(record("zookeeper", "zookeeper.b", 1, "10.0.0.6", "client", 31010, 2181), "TASK_STAGING", null, false, Map.of()));
    GuestUtils guest = registry.guest(Map.of());
    long start = System.nanoTime();
    assertThatThrownBy(() -> guest.getNodeList("zookeeper", List.of("client"), 3,
        NodeQuery.defaults().withTimeout(Duration.ofMillis(700))))
        .isInstanceOf(GuestUtilsException.class)
        .hasMessageStartingWith("No or not enough zookeeper nodes configured (wanted at least 3 ready, found 1 after waiting 700 ms")
        .hasMessageContaining("zookeeper.a@10.0.0.5 TASK_RUNNING")
        .hasMessageContaining("zookeeper.b@10.0.0.6 TASK_STAGING (filtered out)");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
  }
}
