package mdo.guestutils;

import static mdo.guestutils.TestRegistry.record;
import static mdo.guestutils.TestRegistry.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import mdo.testkit.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Node lists for the seed's services, in maestro's format, from records in a real etcd. */
class NodeListTest {
  TestRegistry registry;
  GuestUtils guest;

  @BeforeEach
  void seed() {
    registry = new TestRegistry(EtcdServer.shared());
    // ZooKeeper: written out of order; ordinal 1 has the smaller task id, so ordering by task id alone would differ.
    registry.put(record("zookeeper", "zookeeper.aaa", 1, "10.0.0.6", "client", 31010, 2181, "peer", 31011, 2888, "election", 31012, 3888));
    registry.put(record("zookeeper", "zookeeper.ccc", 2, "10.0.0.7", "client", 31020, 2181, "peer", 31021, 2888, "election", 31022, 3888));
    registry.put(record("zookeeper", "zookeeper.bbb", 0, "10.0.0.5", "client", 31000, 2181, "peer", 31001, 2888, "election", 31002, 3888));
    // Cassandra with ports-hard: host port == container port.
    registry.put(record("cassandra", "cassandra.b", 1, "10.0.1.2", "storage", 7000, 7000, "native", 9042, 9042, "thrift", 9160, 9160));
    registry.put(record("cassandra", "cassandra.a", 0, "10.0.1.1", "storage", 7000, 7000, "native", 9042, 9042, "thrift", 9160, 9160));
    registry.put(record("kafka", "kafka.x", 0, "10.0.2.1", "broker", 31092, 9092));
    guest = registry.guest(Map.of());
  }

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void zookeeperPeersAreHostPeerElectionWithExternalPortsSortedByOrdinal() {
    assertThat(guest.getNodeList("zookeeper", List.of("peer", "election")))
        .containsExactly("10.0.0.5:31001:31002", "10.0.0.6:31011:31012", "10.0.0.7:31021:31022");
    assertThat(guest.getNodeList("zookeeper", List.of("client")))
        .containsExactly("10.0.0.5:31000", "10.0.0.6:31010", "10.0.0.7:31020");
    assertThat(guest.getNodeList("zookeeper")).containsExactly("10.0.0.5", "10.0.0.6", "10.0.0.7");
  }

  @Test
  void cassandraWithHardPortsAndKafkaBroker() {
    assertThat(guest.getNodeList("cassandra", List.of("storage", "native", "thrift")))
        .containsExactly("10.0.1.1:7000:9042:9160", "10.0.1.2:7000:9042:9160");
    assertThat(guest.getNodeList("kafka", List.of("broker"))).containsExactly("10.0.2.1:31092");
  }

  @Test
  void equalOrdinalsFallBackToTaskIdOrder() {
    registry.put(record("web", "web.zz", 0, "10.0.3.2"));
    registry.put(record("web", "web.aa", 0, "10.0.3.1"));
    assertThat(guest.getNodeList("web")).containsExactly("10.0.3.1", "10.0.3.2");
  }

  @Test
  void unreadyInstancesAreLeftOutUnlessAskedFor() {
    registry.put(with(record("zookeeper", "zookeeper.ddd", 3, "10.0.0.8", "client", 31030, 2181), "TASK_STAGING", null, false, Map.of()));
    registry.put(with(record("zookeeper", "zookeeper.eee", 4, "10.0.0.9", "client", 31040, 2181), "TASK_RUNNING", false, false, Map.of()));
    registry.put(with(record("zookeeper", "zookeeper.fff", 5, "10.0.0.10", "client", 31050, 2181), "TASK_RUNNING", true, true, Map.of()));
    registry.put(with(record("zookeeper", "zookeeper.ggg", 6, "10.0.0.11", "client", 31060, 2181), "TASK_RUNNING", true, false, Map.of()));
    assertThat(guest.getNodeList("zookeeper", List.of("client")))
        .containsExactly("10.0.0.5:31000", "10.0.0.6:31010", "10.0.0.7:31020", "10.0.0.11:31060");
    assertThat(guest.getNodeList("zookeeper", List.of("client"), 1, NodeQuery.defaults().withIncludeUnready(true)))
        .hasSize(7).contains("10.0.0.8:31030", "10.0.0.9:31040", "10.0.0.10:31050");
  }

  @Test
  void labelsMatchAsASuperset() {
    registry.put(with(record("kafka", "kafka.y", 1, "10.0.2.2", "broker", 31093, 9092), "TASK_RUNNING", null, false,
        Map.of("rack", "r1", "tier", "gold")));
    registry.put(with(record("kafka", "kafka.z", 2, "10.0.2.3", "broker", 31094, 9092), "TASK_RUNNING", null, false,
        Map.of("rack", "r2")));
    assertThat(guest.getNodeList("kafka", List.of("broker"), 1, NodeQuery.defaults().withLabel("rack", "r1")))
        .containsExactly("10.0.2.2:31093");
    assertThat(guest.getNodeList("kafka", List.of(), 1, NodeQuery.defaults().withLabel("rack", "")))
        .containsExactly("10.0.2.2", "10.0.2.3");
    assertThat(guest.getNodeList("kafka", List.of(), 0,
        NodeQuery.defaults().withLabel("rack", "r2").withLabel("tier", "gold").withTimeout(Duration.ZERO))).isEmpty();
  }

  @Test
  void ipv6HostsAreBracketedWhenPortsFollow() {
    registry.put(record("v6", "v6.a", 0, "fd00::1", "api", 31500, 8080));
    assertThat(guest.getNodeList("v6", List.of("api"))).containsExactly("[fd00::1]:31500");
    assertThat(guest.getNodeList("v6")).containsExactly("fd00::1");
  }

  @Test
  void unknownServiceWithMinimumZeroIsEmptyAndWithDefaultMinimumFailsWithMaestrosMessage() {
    assertThat(guest.getNodeList("nosuch", List.of(), 0)).isEmpty();
    assertThatThrownBy(() -> guest.getNodeList("nosuch", List.of(), 1, NodeQuery.defaults().withTimeout(Duration.ZERO)))
        .isInstanceOf(GuestUtilsException.class)
        .hasMessageStartingWith("No or not enough nosuch nodes configured");
  }

  @Test
  void aPortOneInstanceLacksFailsWithMaestrosMessage() {
    assertThatThrownBy(() -> guest.getNodeList("kafka", List.of("jmx")))
        .isInstanceOf(GuestUtilsException.class)
        .hasMessage("No port jmx defined for container kafka.x of service kafka");
  }

  @Test
  void specificLookupsUseExternalAndInternalPortsAndDefaults() {
    assertThat(guest.getSpecificHost("zookeeper", "zookeeper.aaa")).isEqualTo("10.0.0.6");
    assertThat(guest.getSpecificHost("zookeeper", "zookeeper-2")).isEqualTo("10.0.0.7");
    assertThat(guest.getSpecificPort("zookeeper", "zookeeper.aaa", "client")).isEqualTo(31010);
    assertThat(guest.getSpecificExposedPort("zookeeper", "zookeeper.aaa", "client")).isEqualTo(2181);
    assertThat(guest.getSpecificPort("zookeeper", "zookeeper.aaa", "jmx", -1)).isEqualTo(-1);
    assertThatThrownBy(() -> guest.getSpecificPort("zookeeper", "zookeeper.aaa", "jmx"))
        .hasMessage("No port jmx defined for container zookeeper.aaa of service zookeeper");
    assertThatThrownBy(() -> guest.getSpecificExposedPort("zookeeper", "nobody", "client"))
        .hasMessage("No internal port client defined for container nobody of service zookeeper");
    assertThatThrownBy(() -> guest.getSpecificHost("zookeeper", "nobody"))
        .hasMessage("No host defined for container nobody of service zookeeper");
  }

  @Test
  void ownPortAndOrdinalComeFromTheOwnRecord() {
    GuestUtils self = registry.guest(Map.of("SERVICE_NAME", "zookeeper", "MESOS_TASK_ID", "zookeeper.ccc"));
    assertThat(self.getPort("peer")).isEqualTo(2888);
    assertThat(self.getPort("jmx", 7199)).isEqualTo(7199);
    assertThat(self.getOrdinal()).isEqualTo(2);
    assertThat(self.getContainerName()).isEqualTo("zookeeper.ccc");
    assertThat(self.getContainerHostAddress()).isEqualTo("10.0.0.7");
    assertThatThrownBy(() -> self.getPort("jmx"))
        .hasMessage("No internal port jmx defined for container zookeeper.ccc of service zookeeper");
  }

  @Test
  void theJetcdReaderAnswersLikeTheGateway() {
    try (GuestUtils viaJetcd = new GuestUtils(new GuestEnv(Map.of()),
        new JetcdReader(registry.client, registry.env, Duration.ofSeconds(5), false))) {
      assertThat(viaJetcd.getNodeList("zookeeper", List.of("peer", "election")))
          .isEqualTo(guest.getNodeList("zookeeper", List.of("peer", "election")));
    }
  }

  @Test
  void malformedRecordsAreSkippedNotFatal() {
    registry.putRaw("kafka", "kafka.bad", "{not json");
    assertThat(guest.getNodeList("kafka", List.of("broker"))).containsExactly("10.0.2.1:31092");
  }
}
