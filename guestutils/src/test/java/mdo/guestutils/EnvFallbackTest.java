package mdo.guestutils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mdo.testkit.EtcdServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With etcd stopped, answers come from maestro's and Marathon's variables, with maestro's messages when absent. */
class EnvFallbackTest {
  static EtcdServer etcd;

  @BeforeAll
  static void stoppedEtcd() {
    etcd = EtcdServer.start();
    etcd.stop();
  }

  @AfterAll
  static void cleanUp() {
    etcd.close();
  }

  static GuestUtils guest(Map<String, String> vars) {
    Map<String, String> all = new HashMap<>(vars);
    all.put("ETCD_ENDPOINTS", etcd.endpoint());
    GuestEnv env = new GuestEnv(all);
    return new GuestUtils(env, GuestConfig.from(env, null, null, Duration.ofMillis(500)).reader());
  }

  /** The variables maestro gives a member of zookeeper that requires kafka. */
  static final Map<String, String> MAESTRO = Map.ofEntries(
      Map.entry("MAESTRO_ENVIRONMENT_NAME", "prod"),
      Map.entry("SERVICE_NAME", "zookeeper"),
      Map.entry("CONTAINER_NAME", "zk-node-2"),
      Map.entry("CONTAINER_HOST_ADDRESS", "192.168.10.3"),
      Map.entry("ZOOKEEPER_INSTANCES", "zk-node-1,zk-node-2"),
      Map.entry("ZOOKEEPER_ZK_NODE_1_HOST", "192.168.10.2"),
      Map.entry("ZOOKEEPER_ZK_NODE_1_CLIENT_PORT", "2181"),
      Map.entry("ZOOKEEPER_ZK_NODE_1_PEER_PORT", "2888"),
      Map.entry("ZOOKEEPER_ZK_NODE_1_CLIENT_INTERNAL_PORT", "2181"),
      Map.entry("ZOOKEEPER_ZK_NODE_2_HOST", "192.168.10.3"),
      Map.entry("ZOOKEEPER_ZK_NODE_2_CLIENT_PORT", "12181"),
      Map.entry("ZOOKEEPER_ZK_NODE_2_PEER_PORT", "12888"),
      Map.entry("ZOOKEEPER_ZK_NODE_2_CLIENT_INTERNAL_PORT", "2181"),
      Map.entry("KAFKA_INSTANCES", "kafka-1"),
      Map.entry("KAFKA_KAFKA_1_HOST", "192.168.11.1"),
      Map.entry("KAFKA_KAFKA_1_BROKER_PORT", "9092"));

  @Test
  void maestroVariablesAnswerEveryFunction() {
    GuestUtils g = guest(MAESTRO);
    assertThat(g.getEnvironmentName()).isEqualTo("prod");
    assertThat(g.getServiceName()).isEqualTo("zookeeper");
    assertThat(g.getContainerName()).isEqualTo("zk-node-2");
    assertThat(g.getContainerHostAddress()).isEqualTo("192.168.10.3");
    assertThat(g.getPort("client")).isEqualTo(2181);
    assertThat(g.getPort("jmx", 7199)).isEqualTo(7199);
    assertThat(g.getNodeList("zookeeper", List.of("client", "peer")))
        .containsExactly("192.168.10.2:2181:2888", "192.168.10.3:12181:12888");
    assertThat(g.getNodeList("kafka", List.of("broker"))).containsExactly("192.168.11.1:9092");
    assertThat(g.getSpecificHost("kafka", "kafka-1")).isEqualTo("192.168.11.1");
    assertThat(g.getSpecificPort("zookeeper", "zk-node-1", "peer")).isEqualTo(2888);
    assertThat(g.getSpecificExposedPort("zookeeper", "zk-node-1", "client")).isEqualTo(2181);
  }

  @Test
  void marathonTaskVariablesAnswerOwnLookups() {
    GuestUtils g = guest(Map.of("SERVICE_NAME", "cassandra", "MESOS_TASK_ID", "cassandra.1f2e", "HOST", "10.1.1.1",
        "PORT_STORAGE", "7000", "PORT_NATIVE", "9042", "MARATHON_APP_ID", "/cassandra"));
    assertThat(g.getContainerName()).isEqualTo("cassandra.1f2e");
    assertThat(g.getContainerHostAddress()).isEqualTo("10.1.1.1");
    assertThat(g.getPort("storage")).isEqualTo(7000);
    assertThat(g.getNodeList("cassandra", List.of("storage", "native"))).containsExactly("10.1.1.1:7000:9042");
    assertThat(g.getEnvironmentName()).isEqualTo("default");
  }

  @Test
  void serviceNameFallsBackToTheMarathonAppId() {
    assertThat(guest(Map.of("MARATHON_APP_ID", "/prod/kafka")).getServiceName()).isEqualTo("kafka");
  }

  @Test
  void missingVariablesRaiseMaestrosErrors() {
    GuestUtils g = guest(Map.of());
    assertThatThrownBy(g::getServiceName).isInstanceOf(GuestUtilsException.class).hasMessage("Service name was not defined");
    assertThatThrownBy(g::getContainerName).hasMessage("Container name was not defined");
    assertThatThrownBy(g::getContainerHostAddress).hasMessage("Container host address was not defined");
    assertThatThrownBy(() -> g.getSpecificHost("kafka", "kafka-1")).hasMessage("No host defined for container kafka-1 of service kafka");
    assertThatThrownBy(() -> g.getSpecificPort("kafka", "kafka-1", "broker"))
        .hasMessage("No port broker defined for container kafka-1 of service kafka");
    assertThat(g.getSpecificPort("kafka", "kafka-1", "broker", 9092)).isEqualTo(9092);
    assertThat(g.getEnvironmentName()).isEqualTo("default");
  }

  @Test
  void notEnoughNodesFromTheEnvironmentSaysSo() {
    GuestUtils g = guest(MAESTRO);
    assertThatThrownBy(() -> g.getNodeList("zookeeper", List.of(), 3, NodeQuery.defaults().withTimeout(Duration.ZERO)))
        .hasMessageStartingWith("No or not enough zookeeper nodes configured")
        .hasMessageContaining("etcd unreachable");
    assertThat(g.getNodeList("cassandra", List.of(), 0)).isEmpty();
  }
}
