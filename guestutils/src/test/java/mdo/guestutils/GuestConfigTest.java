package mdo.guestutils;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where guestutils looks for etcd, the subscriber and the environment name. */
class GuestConfigTest {
  static GuestConfig config(Map<String, String> vars) {
    return GuestConfig.from(new GuestEnv(vars), null);
  }

  @Test
  void etcdEndpointsWinOverTheSeedsHostAddress() {
    GuestConfig c = config(Map.of("ETCD_ENDPOINTS", "http://10.0.0.2:2379,10.0.0.3:2379", "ETCD_HOST_ADDRESS", "10.9.9.9"));
    assertThat(c.etcd().endpoints()).containsExactly(URI.create("http://10.0.0.2:2379"), URI.create("http://10.0.0.3:2379"));
    assertThat(GuestConfig.from(new GuestEnv(Map.of("ETCD_ENDPOINTS", "http://a:1")), "http://b:2").etcd().endpoints())
        .containsExactly(URI.create("http://b:2"));
  }

  @Test
  void theSeedsHostAddressGetsPort2379WhenItHasNone() {
    assertThat(GuestConfig.withPort("10.0.0.5")).isEqualTo("10.0.0.5:2379");
    assertThat(GuestConfig.withPort("10.0.0.5:4001")).isEqualTo("10.0.0.5:4001");
    assertThat(GuestConfig.withPort("fd00::5")).isEqualTo("[fd00::5]:2379");
    assertThat(GuestConfig.withPort("[fd00::5]:4001")).isEqualTo("[fd00::5]:4001");
    assertThat(config(Map.of("ETCD_HOST_ADDRESS", "etcd.internal")).etcd().endpoints())
        .containsExactly(URI.create("http://etcd.internal:2379"));
  }

  @Test
  void withoutEtcdEverythingComesFromTheEnvironment() {
    assertThat(config(Map.of()).reader()).isNull();
  }

  @Test
  void environmentNamePrefersMdoThenMaestroThenDefault() {
    assertThat(config(Map.of("MDO_ENVIRONMENT", "prod", "MAESTRO_ENVIRONMENT_NAME", "old")).environment()).isEqualTo("prod");
    assertThat(config(Map.of("MAESTRO_ENVIRONMENT_NAME", "old")).environment()).isEqualTo("old");
    assertThat(config(Map.of()).environment()).isEqualTo("default");
  }

  @Test
  void theTokenIsNeverPrinted() {
    GuestConfig c = config(Map.of("MDO_TOKEN", "s3cr3t-value", "ETCD_ENDPOINTS", "http://a:1", "ETCD_USER", "u",
        "ETCD_PASSWORD", "p4ssw0rd"));
    assertThat(c.toString()).doesNotContain("s3cr3t-value").doesNotContain("p4ssw0rd");
  }

  @Test
  void namesAreMangledLikeMaestro() {
    assertThat(GuestEnv.mangle("zk-node-2")).isEqualTo("ZK_NODE_2");
    assertThat(GuestEnv.mangle("a.b")).isEqualTo("A_B");
  }
}
