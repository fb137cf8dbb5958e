package mdo.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import mdo.cluster.ServiceDefinition;
import mdo.config.UpgradeStrategy;
import mdo.testkit.MarathonResponses;
import mdo.config.ConfigLoader;
import mdo.config.MdoConfig;
import mdo.testkit.Payloads;
import org.junit.jupiter.api.Test;

class AppJsonTest {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The seed's three services (images and ports as in its config.yaml) plus mdo's new fields. */
  static final String CONFIG = """
      environment: default
      etcd: {host: 10.1.2.3, port: 4001}
      marathon: {host: 10.1.2.4, port: 8080}
      subscriber: {host: 10.1.2.6, port: 5000}
      services:
        zookeeper:
          image: davidbliu/zookeeper_processor
          ports: {client: 2181, peer: 2888, election: 3888}
          cpus: 0.1
        kafka:
          image: davidbliu/kafka_processor_nossh
          ports: {broker: 9092}
          health: {protocol: tcp, port: broker, grace: 2m}
        cassandra:
          image: 10.1.2.5:5000/cassandra-processor-s
          ports-hard: {storage: 7000, native: 9042, thrift: 9160}
          instances: 2
          environment: {MIN_NODES: 2}
        zookeeper-legacy:
          image: davidbliu/zookeeper_processor
          ports: {client: 2181, peer: 2888, election: 3888}
          cpus: 0.1
          marathon-format: "1.4"
        bridged-webapp:
          image: python:3
          cmd: python3 -m http.server 8080
          cpus: 0.5
          mem: 64
          instances: 2
          ports: {http: 8080, snmp: 161/udp}
          health: {protocol: http, port: http, path: /, grace: 5s, interval: 20s, max-failures: 3}
        bridged-webapp-legacy:
          image: python:3
          cmd: python3 -m http.server 8080
          cpus: 0.5
          mem: 64
          instances: 2
          ports: {http: 8080, snmp: 161/udp}
          health: {protocol: http, port: http, path: /, grace: 5s, interval: 20s, max-failures: 3}
          marathon-format: "1.4"
        hello:
          cmd: python3 -m http.server $PORT_HTTP
          ports: {http: 0}
          instances: 2
          health: {port: http}
        pinned:
          image: nginx
          network: host
          ports-hard: {web: 8088}
          constraints: ["rack:LIKE:r1", [hostname, UNIQUE]]
          volumes: [{container: /usr/share/nginx/html, host: /srv/www, mode: RO}]
          marathon-format: "1.4"
      """;

  static MdoConfig config() {
    return ConfigLoader.parse(Path.of("config.yaml"), CONFIG, Map.of());
  }

  static ObjectNode app(String service) {
    MdoConfig config = config();
    return AppJson.toApp(ServiceDefinition.of(config, config.service(service)));
  }

  static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  static final String INJECTED_ENV = """
      "ETCD_ENDPOINTS": "http://10.1.2.3:4001", "ETCD_HOST_ADDRESS": "10.1.2.3:4001",
      "MDO_ENVIRONMENT": "default", "SUBSCRIBER_URL": "http://10.1.2.6:5000\"""";

  @Test
  void cassandraWithHardPortsGetsFixedHostPortsAndOneInstancePerHost() throws Exception {
    assertThat(app("cassandra")).isEqualTo(json("""
        {
          "id": "/default/cassandra",
          "cpus": 0.3, "mem": 512.0, "instances": 2,
          "env": {%s, "SERVICE_NAME": "cassandra", "MIN_NODES": "2"},
          "labels": {"MDO_SERVICE": "cassandra", "MDO_ENVIRONMENT": "default"},
          "constraints": [["hostname", "UNIQUE"]],
          "networks": [{"mode": "container/bridge"}],
          "container": {
            "type": "DOCKER",
            "docker": {"image": "10.1.2.5:5000/cassandra-processor-s"},
            "portMappings": [
              {"containerPort": 7000, "hostPort": 7000, "protocol": "tcp", "name": "storage"},
              {"containerPort": 9042, "hostPort": 9042, "protocol": "tcp", "name": "native"},
              {"containerPort": 9160, "hostPort": 9160, "protocol": "tcp", "name": "thrift"}
            ],
            "volumes": []
          },
          "healthChecks": [],
          "upgradeStrategy": {"minimumHealthCapacity": 0.5, "maximumOverCapacity": 0.0}
        }""".formatted(INJECTED_ENV)));
  }

  /**
   * Fixed host ports and one instance per host: Marathon's default strategy (1 / 1) would start every new instance
   * before stopping an old one and wait forever for a free host. Half the instances at a time; one instance alone is
   * stopped first (with 0.5 its one healthy instance would have to stay). Without fixed ports Marathon's default stays.
   */
  @Test
  void fixedHostPortsGetAStrategyThatStopsOldInstancesFirst() {
    assertThat(app("cassandra").get("upgradeStrategy").toString())
        .isEqualTo("{\"minimumHealthCapacity\":0.5,\"maximumOverCapacity\":0.0}");
    assertThat(app("pinned").get("upgradeStrategy").toString())
        .isEqualTo("{\"minimumHealthCapacity\":0.0,\"maximumOverCapacity\":0.0}");
    assertThat(app("zookeeper").has("upgradeStrategy")).isFalse();
    assertThat(app("hello").has("upgradeStrategy")).isFalse();
  }

  static ServiceDefinition definition(String yaml) {
    MdoConfig config = ConfigLoader.parse(Path.of("config.yaml"), "services:\n  zk:\n" + yaml.indent(4), Map.of());
    return ServiceDefinition.of(config, config.service("zk"));
  }

  /** What Marathon runs after {@code sent}, with its strategy set to {@code strategy} (by hand, or by older mdo). */
  static ObjectNode running(ObjectNode sent, String strategy) {
    ObjectNode app = MarathonResponses.app(sent, 1, 1);
    if (strategy == null) {
      app.remove("upgradeStrategy");
    } else {
      String[] s = strategy.split("/");
      app.putObject("upgradeStrategy").put("minimumHealthCapacity", Double.parseDouble(s[0]))
          .put("maximumOverCapacity", Double.parseDouble(s[1]));
    }
    return app;
  }

  static String strategyOf(JsonNode app) {
    UpgradeStrategy s = UpgradeStrategies.of(app);
    return s.minimumHealthCapacity() + "/" + s.maximumOverCapacity();
  }

  /** {@code PUT ?partialUpdate=false} resets what it is not sent: a strategy set by hand is sent back as it is. */
  @Test
  void aReplaceKeepsAStrategySetByHandWhenConfigSaysNothing() {
    ServiceDefinition plain = definition("image: nginx\nports: {http: 80}\ncpus: 0.2");
    ObjectNode running = running(AppJson.toApp(plain), "0.8/0.2");
    ServiceDefinition changed = definition("image: nginx\nports: {http: 80}\ncpus: 0.4");
    assertThat(strategyOf(AppJson.replacing(changed, running))).isEqualTo("0.8/0.2");

    // and config.yaml's own wins
    ServiceDefinition configured = definition("image: nginx\nports: {http: 80}\ncpus: 0.4\n"
        + "upgrade-strategy: {minimum-health-capacity: 0.9, maximum-over-capacity: 0.1}");
    assertThat(strategyOf(AppJson.replacing(configured, running))).isEqualTo("0.9/0.1");
    assertThat(ServiceDefinition.differences(configured, AppJson.definition("zk", running))).containsExactly(
        "cpus: 0.2 -> 0.4", "upgradeStrategy.maximumOverCapacity: 0.2 -> 0.1",
        "upgradeStrategy.minimumHealthCapacity: 0.8 -> 0.9");
  }

  /**
   * A hard-port app Marathon runs with a strategy that waits for a free host (its default, as older mdo left it, or
   * one set by hand) gets mdo's for a change that replaces instances; a scale alone keeps it, since a change of the
   * strategy would make Marathon replace every instance.
   */
  @Test
  void aReplaceOfAHardPortAppFixesAStrategyThatWouldWaitForAFreeHost() {
    String hard = "image: zookeeper\nports-hard: {client: 2181}\ninstances: 3\n";
    ObjectNode running = running(AppJson.toApp(definition(hard + "cpus: 0.2")), null);
    assertThat(strategyOf(AppJson.replacing(definition(hard + "cpus: 0.4"), running))).isEqualTo("0.5/0.0");
    assertThat(strategyOf(AppJson.replacing(definition(hard.replace("3", "4") + "cpus: 0.2"), running)))
        .as("scale only").isEqualTo("1.0/1.0");
    // a workable strategy set by hand stays
    ObjectNode byHand = running(AppJson.toApp(definition(hard + "cpus: 0.2")), "0.6/0");
    assertThat(strategyOf(AppJson.replacing(definition(hard + "cpus: 0.4"), byHand))).isEqualTo("0.6/0.0");
    // mdo's own for one instance (0 / 0) follows the number of instances: 3 now, so half at a time
    ObjectNode fromOne = running(AppJson.toApp(definition(hard + "cpus: 0.2")), "0/0");
    assertThat(strategyOf(AppJson.replacing(definition(hard + "cpus: 0.4"), fromOne))).isEqualTo("0.5/0.0");
  }

  @Test
  void zookeeperGetsBridgedRandomHostPorts() throws Exception {
    assertThat(app("zookeeper")).isEqualTo(json("""
        {
          "id": "/default/zookeeper",
          "cpus": 0.1, "mem": 512.0, "instances": 1,
          "env": {%s, "SERVICE_NAME": "zookeeper"},
          "labels": {"MDO_SERVICE": "zookeeper", "MDO_ENVIRONMENT": "default"},
          "constraints": [],
          "networks": [{"mode": "container/bridge"}],
          "container": {
            "type": "DOCKER",
            "docker": {"image": "davidbliu/zookeeper_processor"},
            "portMappings": [
              {"containerPort": 2181, "hostPort": 0, "protocol": "tcp", "name": "client"},
              {"containerPort": 2888, "hostPort": 0, "protocol": "tcp", "name": "peer"},
              {"containerPort": 3888, "hostPort": 0, "protocol": "tcp", "name": "election"}
            ],
            "volumes": []
          },
          "healthChecks": []
        }""".formatted(INJECTED_ENV)));
  }

  @Test
  void zookeeperInTheMarathon14FormatPutsNetworkAndMappingsUnderDocker() throws Exception {
    ObjectNode app = app("zookeeper-legacy");
    assertThat(app.has("networks")).isFalse();
    assertThat(app.get("container")).isEqualTo(json("""
        {
          "type": "DOCKER",
          "docker": {
            "image": "davidbliu/zookeeper_processor",
            "network": "BRIDGE",
            "portMappings": [
              {"containerPort": 2181, "hostPort": 0, "protocol": "tcp", "name": "client"},
              {"containerPort": 2888, "hostPort": 0, "protocol": "tcp", "name": "peer"},
              {"containerPort": 3888, "hostPort": 0, "protocol": "tcp", "name": "election"}
            ]
          },
          "volumes": []
        }"""));
  }

  @Test
  void kafkaTcpHealthCheckIsRunByTheAgentOnTheNamedPort() throws Exception {
    ObjectNode app = app("kafka");
    assertThat(app.path("container").path("portMappings")).isEqualTo(json("""
        [{"containerPort": 9092, "hostPort": 0, "protocol": "tcp", "name": "broker"}]"""));
    assertThat(app.get("healthChecks")).isEqualTo(json("""
        [{"protocol": "MESOS_TCP", "portIndex": 0, "gracePeriodSeconds": 120, "intervalSeconds": 10,
          "timeoutSeconds": 5, "maxConsecutiveFailures": 3, "delaySeconds": 2}]"""));
  }

  /** Every field of Marathon's own example app that mdo can express comes out with the same value and place. */
  @Test
  void matchesMarathonsReferencePayloadInBothFormats() throws Exception {
    assertSubset(json(Payloads.marathon("apps_post_request.json")), app("bridged-webapp"), "");
    assertSubset(json(Payloads.marathon("apps_post_request.legacy-1.4.json")), app("bridged-webapp-legacy"), "");
  }

  /**
   * Walks the reference and checks each value in ours, except what mdo deliberately does differently: the id is
   * /environment/service, service ports are left to Marathon, and health checks are Mesos-run (MESOS_HTTP).
   */
  private static void assertSubset(JsonNode reference, JsonNode ours, String path) {
    if (reference.isObject()) {
      for (Iterator<String> it = reference.fieldNames(); it.hasNext(); ) {
        String field = it.next();
        if (ignored(path + "/" + field)) continue;
        assertThat(ours.has(field)).as("mdo's app has %s%s", path, "/" + field).isTrue();
        assertSubset(reference.get(field), ours.get(field), path + "/" + field);
      }
    } else if (reference.isArray()) {
      assertThat(ours.size()).as("size of %s", path).isEqualTo(reference.size());
      for (int i = 0; i < reference.size(); i++) assertSubset(reference.get(i), ours.get(i), path + "/" + i);
    } else if (reference.isNumber()) {
      assertThat(ours.asDouble()).as(path).isEqualTo(reference.asDouble());
    } else {
      assertThat(ours).as(path).isEqualTo(reference);
    }
  }

  private static boolean ignored(String path) {
    return path.equals("/id") || path.endsWith("/servicePort") || path.equals("/healthChecks/0/protocol");
  }

  @Test
  void httpHealthCheckBecomesMesosHttpOnTheNamedPortsIndex() throws Exception {
    assertThat(app("bridged-webapp").get("healthChecks")).isEqualTo(json("""
        [{"protocol": "MESOS_HTTP", "portIndex": 0, "path": "/", "gracePeriodSeconds": 5, "intervalSeconds": 20,
          "timeoutSeconds": 5, "maxConsecutiveFailures": 3, "delaySeconds": 2}]"""));
  }

  @Test
  void commandOnlyServiceHasNoContainerAndUsesHostPortDefinitions() throws Exception {
    ObjectNode app = app("hello");
    assertThat(app.has("container")).isFalse();
    assertThat(app.get("cmd").asText()).isEqualTo("python3 -m http.server $PORT_HTTP");
    assertThat(app.get("networks")).isEqualTo(json("[{\"mode\": \"host\"}]"));
    assertThat(app.get("portDefinitions")).isEqualTo(json("[{\"port\": 0, \"protocol\": \"tcp\", \"name\": \"http\"}]"));
    assertThat(app.get("requirePorts").asBoolean()).isFalse();
    assertThat(app.path("healthChecks").path(0).path("protocol").asText()).isEqualTo("MESOS_HTTP");
  }

  @Test
  void hostNetworkWithHardPortsRequiresThoseExactPorts() throws Exception {
    ObjectNode app = app("pinned");
    assertThat(app.get("container")).isEqualTo(json("""
        {"type": "DOCKER", "docker": {"image": "nginx", "network": "HOST"},
         "volumes": [{"containerPath": "/usr/share/nginx/html", "hostPath": "/srv/www", "mode": "RO"}]}"""));
    assertThat(app.get("portDefinitions")).isEqualTo(json("[{\"port\": 8088, \"protocol\": \"tcp\", \"name\": \"web\"}]"));
    assertThat(app.get("requirePorts").asBoolean()).isTrue();
    // The user's own hostname UNIQUE is kept, not doubled.
    assertThat(app.get("constraints")).isEqualTo(json("[[\"rack\", \"LIKE\", \"r1\"], [\"hostname\", \"UNIQUE\"]]"));
  }

  @Test
  void serviceEnvironmentComesAfterTheInjectedVariablesAndMayOverrideThem() {
    MdoConfig config = ConfigLoader.parse(Path.of("c.yaml"), """
        etcd: {endpoints: [http://e1:2379, http://e2:2379]}
        services:
          a: {image: x, environment: {SUBSCRIBER_URL: "http://proxy:80", RATE: 1.5, DEBUG: true}}
        """, Map.of());
    JsonNode env = AppJson.toApp(ServiceDefinition.of(config, config.service("a"))).get("env");
    assertThat(env.get("ETCD_ENDPOINTS").asText()).isEqualTo("http://e1:2379,http://e2:2379");
    assertThat(env.get("ETCD_HOST_ADDRESS").asText()).isEqualTo("e1:2379");
    assertThat(env.get("SUBSCRIBER_URL").asText()).isEqualTo("http://proxy:80");
    assertThat(env.get("RATE").asText()).isEqualTo("1.5");
    assertThat(env.get("DEBUG").asText()).isEqualTo("true");
  }
}
