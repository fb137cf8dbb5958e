package mdo.framework.desired;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mdo.cluster.ServiceDefinition;
import mdo.config.ConfigLoader;
import mdo.config.MdoConfig;
import org.junit.jupiter.api.Test;

/** Marathon's service port assignment ({@code AssignDynamicServiceLogic}) as the framework repeats it. */
class ServicePortsTest {
  static final MdoConfig CFG = ConfigLoader.parse(Path.of("config.yaml"), """
      services:
        web: {cmd: "serve", network: host, ports: {http: 8080, admin: 0, metrics: 0}}
        bridged: {image: nginx, ports: {http: 80, https: 443}}
        fixed: {cmd: "serve", network: host, ports-hard: {gossip: 7000}}
      """, Map.of());

  static ServiceDefinition def(String name) {
    return ServiceDefinition.of(CFG, CFG.service(name));
  }

  @Test
  void declaredHostPortsAreTheirOwnServicePortsTheOthersTheLowestFree() {
    assertThat(ServicePorts.assign(def("web"), List.of(), List.of(10000, 10002))).containsExactly(8080, 10001, 10003);
    assertThat(ServicePorts.assign(def("bridged"), List.of(), List.of())).containsExactly(10000, 10001);
    assertThat(ServicePorts.assign(def("fixed"), List.of(), List.of())).containsExactly(7000);
  }

  @Test
  void aServiceGetsBackTheServicePortsItHadFirst() {
    assertThat(ServicePorts.assign(def("web"), List.of(8080, 10007, 10009), List.of(10000)))
        .containsExactly(8080, 10007, 10009);
    assertThat(ServicePorts.assign(def("bridged"), List.of(10042), List.of())).containsExactly(10042, 10000);
  }
}
