package mdo.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import mdo.cluster.ServiceDefinition;
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
          "healthChecks": []
        }""".formatted(INJECTED_ENV)));
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
          "timeoutSeconds": 5, "maxConsecutiveFailures": 3}]"""));
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
          "timeoutSeconds": 5, "maxConsecutiveFailures": 3}]"""));
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
