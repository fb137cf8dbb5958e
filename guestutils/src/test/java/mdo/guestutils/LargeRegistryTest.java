package mdo.guestutils;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import io.etcd.jetcd.options.GetOption;
import mdo.registry.Etcd;
import mdo.registry.RegistryKeys;
import mdo.registry.InstanceRecord;
import mdo.testkit.EtcdServer;
import mdo.testkit.RegistryFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A service past one gRPC message (4 MiB): 10,000 instances of records as a real service has them (~750 bytes: named
 * ports, labels), ~7.7 MB. Every reader reads it whole, at one revision, in pages. (The 20,000-instance cold CLI figure
 * is bin/bench-subscriber's.)
 */
class LargeRegistryTest {
  static final int INSTANCES = 10_000;
  static TestRegistry registry;

  @BeforeAll
  static void fill() {
    registry = new TestRegistry(EtcdServer.shared());
    Map<String, String> records = RegistryFixture.records(registry.env, "cassandra", 0, INSTANCES);
    assertThat(records.values().stream().mapToLong(String::length).sum()).isGreaterThan(4L << 20);
    RegistryFixture.putAll(registry.etcd.endpoint(), records);
  }

  @AfterAll
  static void empty() {
    RegistryFixture.deletePrefix(registry.etcd.endpoint(), "/mdo/" + registry.env + "/");
    registry.close();
  }

  static void assertWhole(ServiceSnapshot s) {
    assertThat(s.instances()).hasSize(INSTANCES);
    assertThat(s.instances().get(0).ordinal()).isZero();
    assertThat(s.instances().get(INSTANCES - 1).ordinal()).isEqualTo(INSTANCES - 1);
    assertThat(s.revision()).isPositive();
  }

  @Test
  void theCliReaderReadsTheWholeServiceThroughTheJsonGateway() throws Exception {
    GuestUtils guest = registry.guest(Map.of());
    List<String> nodes = guest.getNodeList("cassandra", List.of("storage", "native"));
    assertThat(nodes).hasSize(INSTANCES).first().isEqualTo("ip-10-0-0-0.ec2.internal:31000:32000");
    try (GatewayReader reader = new GatewayReader(registry.env, mdo.registry.EtcdSettings.of(registry.etcd.endpoint()),
        Duration.ofSeconds(10))) {
      assertWhole(reader.read("cassandra"));
    }
  }

  @Test
  void theJetcdReaderReadsTheWholeService() throws Exception {
    try (JetcdReader reader = new JetcdReader(registry.client, registry.env, Duration.ofSeconds(10), false)) {
      assertWhole(reader.read("cassandra"));
    }
  }

  @Test
  void aReadIsOneRevisionWhileWritesGoOnBetweenItsPages() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger next = new AtomicInteger(INSTANCES);
    Thread writer = new Thread(() -> { // joins the service while it is being read, page after page
      while (!stop.get()) {
        RegistryFixture.putAll(registry.etcd.endpoint(),
            RegistryFixture.records(registry.env, "cassandra", next.getAndIncrement(), 1));
      }
    });
    writer.start();
    try (JetcdReader jetcd = new JetcdReader(registry.client, registry.env, Duration.ofSeconds(10), false);
        GatewayReader gateway = new GatewayReader(registry.env,
            mdo.registry.EtcdSettings.of(registry.etcd.endpoint()), Duration.ofSeconds(10))) {
      for (ServiceSnapshot s : List.of(jetcd.read("cassandra"), gateway.read("cassandra"))) {
        assertThat(s.instances()).hasSize((int) countAt(s.revision()));
      }
    } finally {
      stop.set(true);
      writer.join();
      for (int n = INSTANCES; n < next.get(); n++) {
        registry.delete("cassandra", RegistryFixture.taskId(registry.env, "cassandra", n));
      }
    }
  }

  /** How many instances the service had at {@code revision} (0: now), as etcd counts them. */
  static long countAt(long revision) throws Exception {
    return registry.client.getKVClient().get(Etcd.bytes(RegistryKeys.instances(registry.env, "cassandra")),
        GetOption.builder().isPrefix(true).withCountOnly(true).withRevision(revision).build())
        .get(10, TimeUnit.SECONDS).getCount();
  }

  @Test
  void aWatchLoadsTheWholeRegistryThenFollowsIt() throws Exception {
    try (RegistryWatch watch = new RegistryWatch(registry.client, registry.env, Duration.ofMillis(50)).start()) {
      assertThat(watch.awaitLoaded(Duration.ofSeconds(30))).isTrue();
      assertWhole(watch.read("cassandra"));
      long seen = watch.revision();
      registry.delete("cassandra", RegistryFixture.taskId(registry.env, "cassandra", 0));
      try {
        watch.awaitChange(seen, Duration.ofSeconds(10));
        assertThat(watch.read("cassandra").instances()).hasSize(INSTANCES - 1)
            .extracting(InstanceRecord::ordinal).doesNotContain(0);
      } finally { // the other tests read the whole service
        RegistryFixture.putAll(registry.etcd.endpoint(), RegistryFixture.records(registry.env, "cassandra", 0, 1));
      }
    }
  }
}
