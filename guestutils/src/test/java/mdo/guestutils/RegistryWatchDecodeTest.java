package mdo.guestutils;

import static mdo.guestutils.TestRegistry.record;
import static mdo.guestutils.TestRegistry.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mdo.registry.Etcd;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryKeys;
import mdo.testkit.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The watch keeps values as etcd sent them and decodes a value when it is first read: nobody pays for services nobody
 * reads, an unchanged record is decoded once, and a malformed value is skipped with one warning when it is read.
 */
class RegistryWatchDecodeTest {
  TestRegistry registry;
  RegistryWatch watch;

  @BeforeEach
  void open() throws Exception {
    registry = new TestRegistry(EtcdServer.shared());
    registry.put(record("zookeeper", "zookeeper.a", 0, "10.0.1.1", "peer", 31000, 2888));
    watch = new RegistryWatch(registry.client, registry.env, Duration.ofMillis(50)).start();
    assertThat(watch.awaitLoaded(Duration.ofSeconds(10))).isTrue();
  }

  @AfterEach
  void close() {
    watch.close();
    registry.close();
  }

  /** Waits until the watch has applied everything written so far. */
  void caughtUp() throws Exception {
    long rev = registry.client.getKVClient().get(Etcd.bytes("/")).get(10, TimeUnit.SECONDS).getHeader().getRevision();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (watch.revision() < rev && System.nanoTime() < deadline) watch.awaitChange(watch.revision(), Duration.ofMillis(100));
    assertThat(watch.revision()).as("watch revision").isGreaterThanOrEqualTo(rev);
  }

  static List<String> tasks(ServiceSnapshot s) {
    return s.instances().stream().map(InstanceRecord::taskId).toList();
  }

  @Test
  void recordsOfAServiceNobodyReadsAreNeverDecoded() throws Exception {
    long before = watch.decodes();
    for (int i = 0; i < 20; i++) registry.put(record("cassandra", "cassandra." + i, i, "10.0.3." + i, "storage", 31200 + i, 7000));
    registry.delete("cassandra", "cassandra.0");
    caughtUp();
    assertThat(watch.decodes()).as("decodes while nobody reads").isEqualTo(before);

    assertThat(watch.read("cassandra").instances()).hasSize(19);
    assertThat(watch.decodes()).isEqualTo(before + 19);
    watch.read("cassandra");
    assertThat(watch.decodes()).as("a second read decodes nothing").isEqualTo(before + 19);
  }

  @Test
  void aRewrittenRecordIsReadAgainAndOnlyIt() throws Exception {
    for (int i = 0; i < 10; i++) registry.put(record("kafka", "kafka." + i, i, "10.0.2." + i, "broker", 31100 + i, 9092));
    caughtUp();
    assertThat(watch.read("kafka").find("kafka.3").ready()).isTrue();
    long before = watch.decodes();

    InstanceRecord three = record("kafka", "kafka.3", 3, "10.0.2.3", "broker", 31103, 9092);
    registry.put(with(three, "TASK_RUNNING", null, true, Map.of()));
    caughtUp();
    ServiceSnapshot after = watch.read("kafka");
    assertThat(after.find("kafka.3").draining()).as("the new value is read").isTrue();
    assertThat(after.instances()).hasSize(10);
    assertThat(watch.decodes()).as("only the rewritten record is decoded").isEqualTo(before + 1);

    registry.put(with(three, "TASK_RUNNING", null, true, Map.of())); // the same bytes again
    caughtUp();
    assertThat(watch.read("kafka").find("kafka.3").draining()).isTrue();
    assertThat(watch.decodes()).as("identical bytes are not decoded again").isEqualTo(before + 1);
  }

  @Test
  void aMalformedValueIsSkippedAndLoggedOnceWhenItsServiceIsRead() throws Exception {
    String badKey = RegistryKeys.instance(registry.env, "zookeeper", "zookeeper.bad");
    String log = stderrOf(() -> {
      registry.putRaw("zookeeper", "zookeeper.bad", "{\"service\": \"zookeeper\", \"taskId\": ");
      registry.put(record("zookeeper", "zookeeper.b", 1, "10.0.1.2", "peer", 31001, 2888));
      caughtUp();
    });
    assertThat(log).as("nothing logged before anyone reads the value").doesNotContain(badKey);

    log = stderrOf(() -> {
      assertThat(tasks(watch.read("zookeeper"))).containsExactly("zookeeper.a", "zookeeper.b");
      assertThat(tasks(watch.read("zookeeper"))).containsExactly("zookeeper.a", "zookeeper.b");
      assertThat(watch.containsTask("zookeeper.bad")).isFalse();
      assertThat(watch.containsTask("zookeeper.b")).isTrue();
    });
    assertThat(log.lines().filter(l -> l.contains("skipped: malformed registry value at " + badKey)))
        .as("one warning for the bad value").hasSize(1);

    // Fixing the value brings the instance back.
    registry.put(record("zookeeper", "zookeeper.bad", 2, "10.0.1.3", "peer", 31002, 2888));
    caughtUp();
    assertThat(tasks(watch.read("zookeeper"))).containsExactly("zookeeper.a", "zookeeper.b", "zookeeper.bad");
  }

  @Test
  void aServiceWhoseOnlyValueIsMalformedHasNoMembers() throws Exception {
    registry.putRaw("broken", "broken.x", "[1, 2]");
    registry.putRaw("half", "half.x", "not json");
    registry.put(record("half", "half.y", 0, "10.0.4.1", "http", 31300, 8080));
    caughtUp();
    assertThat(watch.services()).contains("zookeeper", "half").doesNotContain("broken");
    assertThat(watch.read("broken").instances()).isEmpty();
    assertThat(watch.containsTask("broken.x")).isFalse();
    assertThat(tasks(watch.read("half"))).containsExactly("half.y");
  }

  @Test
  void containsTaskFollowsPutsAndDeletes() throws Exception {
    assertThat(watch.containsTask("zookeeper.a")).isTrue();
    assertThat(watch.containsTask("zookeeper.nope")).isFalse();
    registry.put(record("etcd", "etcd.1", 0, "10.0.5.1", "client", 31400, 2379));
    caughtUp();
    assertThat(watch.containsTask("etcd.1")).isTrue();
    registry.delete("etcd", "etcd.1");
    caughtUp();
    assertThat(watch.containsTask("etcd.1")).isFalse();
    assertThat(watch.services()).doesNotContain("etcd");
  }

  interface Action {
    void run() throws Exception;
  }

  /**
   * What was logged while {@code action} ran. slf4j-simple writes to the current {@code System.err}; other threads'
   * lines may land here too, so callers look for their own key.
   */
  static String stderrOf(Action action) throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    original.print(text); // still visible in the test's output
    return text;
  }
}
