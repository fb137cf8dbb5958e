package mdo.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Map;
import mdo.cluster.ServiceDefinition;
import mdo.config.ConfigLoader;
import mdo.config.MdoConfig;
import mdo.testkit.MarathonResponses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What launcher compares: the definition built from config against what Marathon answers for the app it was sent, read
 * back ({@link AppJson#definition}). An unchanged service must read back as no change, whatever Marathon adds.
 */
class AppReadBackTest {
  static ServiceDefinition definition(String yamlService, String format) {
    MdoConfig config = ConfigLoader.parse(Path.of("c.yaml"), """
        services:
          zk:
        %s
            marathon-format: "%s"
        """.formatted(yamlService.indent(4).stripTrailing(), format), Map.of());
    return ServiceDefinition.of(config, config.service("zk"));
  }

  static ObjectNode app(String yamlService, String format) {
    return AppJson.toApp(definition(yamlService, format));
  }

  /** Marathon's answer for an app created from {@code sent}, read back. */
  static ServiceDefinition running(ObjectNode sent) {
    return AppJson.definition("zk", MarathonResponses.app(sent, 1, 1));
  }

  static final String ZOOKEEPER = """
      image: davidbliu/zookeeper_processor
      ports: {client: 2181, peer: 2888}
      labels: {team: data}
      environment: {MIN_NODES: 2}
      health: {protocol: tcp, port: client}""";

  @ParameterizedTest
  @ValueSource(strings = {
      ZOOKEEPER,
      "image: cassandra\nports-hard: {storage: 7000, native: 9042}\nvolumes: [{container: /d, host: /srv/d}]",
      "cmd: python3 -m http.server $PORT_HTTP\nports: {http: 0}\nhealth: {port: http, path: /}",
      "image: nginx\nnetwork: host\nports-hard: {web: 8088}\nconstraints: [\"rack:LIKE:r1\"]",
      "image: nginx\nnetwork: host\nports: {web: 80}\nargs: [nginx]"})
  void whatMarathonAnswersForAnUnchangedDefinitionIsNoChange(String service) {
    for (String format : new String[] {"1.5", "1.4"}) {
      ServiceDefinition desired = definition(service, format);
      assertThat(ServiceDefinition.differences(desired, running(AppJson.toApp(desired)))).as(format).isEmpty();
    }
  }

  @Test
  void bothNetworkingFormatsOfTheSameAppAreEqual() {
    ServiceDefinition legacy = definition(ZOOKEEPER, "1.4");
    assertThat(ServiceDefinition.differences(legacy, running(app(ZOOKEEPER, "1.5")))).isEmpty();
  }

  @Test
  void changesAreListedFieldByField() {
    ServiceDefinition current = running(app(ZOOKEEPER, "1.5"));
    ServiceDefinition desired = definition("""
        image: davidbliu/zookeeper_processor:2
        ports: {client: 2181, peer: 2889}
        labels: {team: data}
        environment: {MIN_NODES: 3}
        cpus: 0.5""", "1.5");

    assertThat(ServiceDefinition.differences(desired, current)).containsExactly(
        "cpus: 0.3 -> 0.5",
        "env.MIN_NODES: 2 -> 3",
        "image: davidbliu/zookeeper_processor -> davidbliu/zookeeper_processor:2",
        "ports: [\"client 2181:0/tcp\",\"peer 2888:0/tcp\"] -> [\"client 2181:0/tcp\",\"peer 2889:0/tcp\"]",
        "healthChecks: [{\"protocol\":\"MESOS_TCP\",\"portIndex\":0,\"grace\":30,\"interval\":10,\"timeout\":5,"
            + "\"maxFailures\":3,\"delay\":2}] -> []");
  }

  @Test
  void switchingToHostNetworkingIsAChange() {
    ServiceDefinition current = running(app(ZOOKEEPER, "1.5"));
    ServiceDefinition desired = definition(ZOOKEEPER + "\nnetwork: host", "1.5");
    assertThat(ServiceDefinition.differences(desired, current)).contains("network: bridge -> host");
  }
}
