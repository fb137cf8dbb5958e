package mdo.guestutils;

import static mdo.guestutils.TestRegistry.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mdo.registry.Etcd;
import mdo.testkit.EtcdServer;
import org.junit.jupiter.api.Test;

/** With etcd auth on, the gateway reader logs in with ETCD_USER/ETCD_PASSWORD; without them it falls back. */
class EtcdAuthTest {
  @Test
  void readsWithCredentialsAndFallsBackWithout() throws Exception {
    try (EtcdServer etcd = EtcdServer.start(); TestRegistry registry = new TestRegistry(etcd)) {
      registry.put(record("kafka", "kafka.a", 0, "10.0.2.1", "broker", 31092, 9092));
      Client c = registry.client;
      c.getAuthClient().userAdd(Etcd.bytes("root"), Etcd.bytes("pa55-word")).get(5, TimeUnit.SECONDS);
      c.getAuthClient().roleAdd(Etcd.bytes("root")).get(5, TimeUnit.SECONDS);
      c.getAuthClient().userGrantRole(Etcd.bytes("root"), Etcd.bytes("root")).get(5, TimeUnit.SECONDS);
      c.getAuthClient().authEnable().get(5, TimeUnit.SECONDS);

      Map<String, String> base = Map.of("ETCD_ENDPOINTS", etcd.endpoint(), "MDO_ENVIRONMENT", registry.env,
          "SERVICE_NAME", "kafka", "MESOS_TASK_ID", "kafka.self", "HOST", "10.7.7.7");
      GuestEnv withUser = new GuestEnv(Map.of()).with(base).with(Map.of("ETCD_USER", "root", "ETCD_PASSWORD", "pa55-word"));
      try (GuestUtils g = new GuestUtils(withUser, GuestConfig.from(withUser, null).reader())) {
        assertThat(g.getNodeList("kafka", List.of("broker"))).containsExactly("10.0.2.1:31092");
      }
      GuestEnv anonymous = new GuestEnv(base);
      try (GuestUtils g = new GuestUtils(anonymous, GuestConfig.from(anonymous, null, null, Duration.ofSeconds(2)).reader())) {
        assertThat(g.getNodeList("kafka")).as("refused by etcd: the environment answers").containsExactly("10.7.7.7");
      }
    }
  }
}
