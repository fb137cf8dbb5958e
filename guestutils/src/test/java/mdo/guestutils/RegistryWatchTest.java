package mdo.guestutils;

import static mdo.guestutils.TestRegistry.record;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mdo.registry.InstanceRecord;
import mdo.testkit.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A watch reports joins and leaves with the revision, coalesces bursts, and survives an etcd restart. */
class RegistryWatchTest {
  EtcdServer etcd;
  TestRegistry registry;
  RegistryWatch watch;
  final BlockingQueue<MembershipChange> changes = new LinkedBlockingQueue<>();

  @BeforeEach
  void open() throws Exception {
    etcd = EtcdServer.start();
    registry = new TestRegistry(etcd);
    registry.put(record("kafka", "kafka.a", 0, "10.0.2.1", "broker", 31092, 9092));
    watch = new RegistryWatch(registry.client, registry.env, Duration.ofMillis(100)).start();
    assertThat(watch.awaitLoaded(Duration.ofSeconds(10))).isTrue();
    watch.listen("kafka", NodeQuery.defaults(), changes::add);
  }

  @AfterEach
  void close() {
    watch.close();
    registry.close();
    etcd.close();
  }

  MembershipChange next() throws InterruptedException {
    MembershipChange c = changes.poll(10, TimeUnit.SECONDS);
    assertThat(c).as("a membership change within 10 s").isNotNull();
    return c;
  }

  static List<String> tasks(List<InstanceRecord> records) {
    return records.stream().map(InstanceRecord::taskId).toList();
  }

  @Test
  void reportsTheCurrentMembersFirstThenJoinsAndLeaves() throws Exception {
    MembershipChange initial = next();
    assertThat(tasks(initial.members())).containsExactly("kafka.a");
    assertThat(tasks(initial.added())).containsExactly("kafka.a");

    registry.put(record("kafka", "kafka.b", 1, "10.0.2.2", "broker", 31093, 9092));
    MembershipChange joined = next();
    assertThat(tasks(joined.members())).containsExactly("kafka.a", "kafka.b");
    assertThat(tasks(joined.added())).containsExactly("kafka.b");
    assertThat(joined.removed()).isEmpty();
    assertThat(joined.revision()).isGreaterThan(initial.revision());

    registry.delete("kafka", "kafka.a");
    MembershipChange left = next();
    assertThat(tasks(left.members())).containsExactly("kafka.b");
    assertThat(tasks(left.removed())).containsExactly("kafka.a");
    assertThat(left.added()).isEmpty();
  }

  @Test
  void aBurstOfChangesArrivesAsOneNotification() throws Exception {
    BlockingQueue<MembershipChange> slow = new LinkedBlockingQueue<>();
    try (RegistryWatch coalescing = new RegistryWatch(registry.client, registry.env, Duration.ofSeconds(1)).start()) {
      assertThat(coalescing.awaitLoaded(Duration.ofSeconds(10))).isTrue();
      coalescing.listen("kafka", NodeQuery.defaults(), slow::add);
      assertThat(slow.poll(10, TimeUnit.SECONDS)).isNotNull();
      for (int i = 1; i <= 5; i++) registry.put(record("kafka", "kafka.n" + i, i, "10.0.2." + (10 + i), "broker", 31100 + i, 9092));
      MembershipChange burst = slow.poll(10, TimeUnit.SECONDS);
      assertThat(burst).isNotNull();
      assertThat(burst.added()).hasSize(5);
      assertThat(slow.poll(1500, TimeUnit.MILLISECONDS)).isNull();
    }
  }

  @Test
  void recordsChangingOnlyBookkeepingAreNotAChange() throws Exception {
    next();
    InstanceRecord a = record("kafka", "kafka.a", 0, "10.0.2.1", "broker", 31092, 9092);
    registry.put(new InstanceRecord(a.service(), a.taskId(), a.instanceId(), a.ordinal(), a.host(), a.ports(), a.labels(),
        a.state(), a.healthy(), a.draining(), a.appId(), a.appVersion(), a.agentId(), a.startedAt(), "2026-11-21T11:00:00.000Z"));
    assertThat(changes.poll(500, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void resumesAfterEtcdRestartsAndSeesChangesMadeWhileItWasAway() throws Exception {
    next();
    etcd.stop();
    etcd.restart();
    registry.put(record("kafka", "kafka.c", 2, "10.0.2.3", "broker", 31094, 9092));
    MembershipChange afterRestart = next();
    assertThat(tasks(afterRestart.added())).containsExactly("kafka.c");

    etcd.restart();
    registry.delete("kafka", "kafka.a");
    registry.put(record("kafka", "kafka.d", 3, "10.0.2.4", "broker", 31095, 9092));
    MembershipChange second = next();
    List<String> members = second.members().stream().map(InstanceRecord::taskId).toList();
    if (!members.contains("kafka.d") || members.contains("kafka.a")) members = tasks(next().members());
    assertThat(members).containsExactly("kafka.c", "kafka.d");
  }

  @Test
  void aWarmWatchAnswersNodeListsWithEtcdDown() throws Exception {
    next();
    GuestUtils guest = new GuestUtils(new GuestEnv(Map.of()), watch);
    etcd.stop();
    assertThat(guest.getNodeList("kafka", List.of("broker"))).containsExactly("10.0.2.1:31092");
  }
}
