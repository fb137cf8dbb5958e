package mdo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import mdo.config.ServiceSpec.MarathonFormat;
import mdo.config.ServiceSpec.Network;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  /** The seed's format (etcd/marathon host+port, ports, ports-hard, cpu, numeric env values), unchanged. */
  static final String SEED = """
      #
      # need to have launched etcd and marathon prior
      #
      etcd:
        host: "10.1.2.3"
        port: 4001
      marathon:
        host: "10.1.2.4"
        port: 8080

      services:
        zookeeper:
          image: "example/zookeeper_processor"
          ports:
            ssh: 22
            client: 2181
            peer: 2888
            election: 3888
          cpus: 0.1
        kafka:
          image: "example/kafka_processor_nossh"
          ports:
            ssh: 22
            broker: 9092
        cassandra:
          image: 10.1.2.5:5000/cassandra-processor-s # this version has subscriber
          ports-hard:
            ssh: 22
            storage: 7000
            native: 9042
            thrift: 9160
          instances: 2
          environment:
            MIN_NODES: 2
        ingestor:
          image: "example/ingestor"
          ports:
            ssh: 22
            api: 9000
          cpu: 0.15
      """;

  MdoConfig load(String yaml) throws Exception {
    return load(yaml, Map.of());
  }

  MdoConfig load(String yaml, Map<String, String> env) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, yaml);
    return ConfigLoader.load(file, env);
  }

  ConfigException failure(String yaml) {
    Path file = dir.resolve("config.yaml");
    try {
      Files.writeString(file, yaml);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));
  }

  @Test
  void seedConfigLoadsWithItsMeaningUnchanged() throws Exception {
    MdoConfig config = load(SEED);

    assertThat(config.environment()).isEqualTo("default");
    assertThat(config.etcd().endpoints()).containsExactly(URI.create("http://10.1.2.3:4001"));
    assertThat(config.marathon().urls()).containsExactly(URI.create("http://10.1.2.4:8080"));
    assertThat(config.services().keySet()).containsExactly("zookeeper", "kafka", "cassandra", "ingestor");

    ServiceSpec cassandra = config.service("cassandra");
    assertThat(cassandra.image()).isEqualTo("10.1.2.5:5000/cassandra-processor-s");
    assertThat(cassandra.ports()).containsExactly(
        new PortSpec("ssh", 22, true, "tcp"), new PortSpec("storage", 7000, true, "tcp"),
        new PortSpec("native", 9042, true, "tcp"), new PortSpec("thrift", 9160, true, "tcp"));
    assertThat(cassandra.instances()).isEqualTo(2);
    assertThat(cassandra.environment()).containsExactly(Map.entry("MIN_NODES", "2"));
    assertThat(cassandra.network()).isEqualTo(Network.BRIDGE);
    assertThat(cassandra.marathonFormat()).isEqualTo(MarathonFormat.V1_5);

    ServiceSpec zookeeper = config.service("zookeeper");
    assertThat(zookeeper.cpus()).isEqualTo(0.1);
    assertThat(zookeeper.mem()).isEqualTo(512);
    assertThat(zookeeper.instances()).isEqualTo(1);
    assertThat(zookeeper.ports()).extracting(PortSpec::name).containsExactly("ssh", "client", "peer", "election");
  }

  @Test
  void seedCpuSpellingIsAcceptedWithAWarningNamingTheLine() throws Exception {
    MdoConfig config = load(SEED);

    assertThat(config.service("ingestor").cpus()).isEqualTo(0.15);
    assertThat(config.warnings()).hasSize(1);
    assertThat(config.warnings().get(0)).contains("config.yaml:40: services.ingestor.cpu: 'cpu' is deprecated, write 'cpus'");
  }

  @Test
  void newFieldsAreRead() throws Exception {
    Files.writeString(dir.resolve("ca.pem"), "not parsed by the loader");
    MdoConfig config = load("""
        environment: prod.eu-1
        marathon:
          urls: [http://m1:8080, "m2:8080"]
          user: ops
          ca-file: ca.pem
          timeout: 2m
          listing-timeout: 5m
        etcd:
          endpoints: [https://e1:2379, https://e2:2379]
          user: root
          password: pw
          ca-file: ca.pem
        subscriber:
          host: 0.0.0.0
          port: 5001
          url: http://10.0.0.9:5001
          events: callback
          resync-interval: 90s
          resync-unhealthy-after: 10m
          stream-idle-timeout: 40
          callback-allow: [10.0.0.0/8]
        services:
          web:
            image: nginx:1.25
            args: [nginx, -g, daemon off;]
            ports: {http: 80, stats: 8125/udp}
            labels: {team: web}
            constraints: [[rack, LIKE, "r[12]"], "hostname:unique"]
            volumes: [{container: /data, host: /srv/web, mode: ro}]
            health: {port: http, path: /health, grace: 1m, interval: 15s, timeout: 3s, max-failures: 5, delay: 0}
            marathon-format: "1.4"
            upgrade-strategy: {minimum-health-capacity: 0.75}
          hello:
            cmd: python3 -m http.server $PORT_HTTP
            ports: {http: 0}
            health: {protocol: command, command: curl -f localhost:$PORT_HTTP}
        """, Map.of("MARATHON_PASSWORD", "from-env", "MDO_SUBSCRIBER_TOKEN", "tok"));

    assertThat(config.environment()).isEqualTo("prod.eu-1");
    assertThat(config.marathon().urls()).containsExactly(URI.create("http://m1:8080"), URI.create("http://m2:8080"));
    assertThat(config.marathon().user()).isEqualTo("ops");
    assertThat(config.marathon().password()).isEqualTo("from-env");
    assertThat(config.marathon().caFile()).isEqualTo(dir.resolve("ca.pem"));
    assertThat(config.marathon().requestTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.marathon().listingTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.etcd().endpointList()).isEqualTo("https://e1:2379,https://e2:2379");
    assertThat(config.etcd().user()).isEqualTo("root");
    assertThat(config.subscriber().url()).isEqualTo(URI.create("http://10.0.0.9:5001"));
    assertThat(config.subscriber().token()).isEqualTo("tok");
    assertThat(config.subscriber().events()).isEqualTo(SubscriberSettings.EventSource.CALLBACK);
    assertThat(config.subscriber().resyncInterval()).isEqualTo(Duration.ofSeconds(90));
    assertThat(config.subscriber().resyncUnhealthyAfter()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.subscriber().streamIdleTimeout()).isEqualTo(Duration.ofSeconds(40));
    assertThat(config.subscriber().callbackAllow()).containsExactly("10.0.0.0/8");

    ServiceSpec web = config.service("web");
    assertThat(web.args()).containsExactly("nginx", "-g", "daemon off;");
    assertThat(web.ports()).containsExactly(new PortSpec("http", 80, false, "tcp"), new PortSpec("stats", 8125, false, "udp"));
    assertThat(web.constraints()).containsExactly(List.of("rack", "LIKE", "r[12]"), List.of("hostname", "UNIQUE"));
    assertThat(web.volumes()).containsExactly(new VolumeSpec("/data", "/srv/web", "RO"));
    assertThat(web.health()).isEqualTo(new HealthSpec(HealthSpec.Protocol.HTTP, "http", "/health", null,
        Duration.ofMinutes(1), Duration.ofSeconds(15), Duration.ofSeconds(3), 5, Duration.ZERO));
    assertThat(web.marathonFormat()).isEqualTo(MarathonFormat.V1_4);
    // the field not given is Marathon's default for a service without fixed host ports
    assertThat(web.upgradeStrategy()).isEqualTo(new UpgradeStrategy(0.75, 1));

    ServiceSpec hello = config.service("hello");
    assertThat(hello.commandOnly()).isTrue();
    assertThat(hello.network()).isEqualTo(Network.HOST);
    assertThat(hello.health().protocol()).isEqualTo(HealthSpec.Protocol.COMMAND);
    assertThat(hello.health().delay()).as("the first check 2 s after the task runs").isEqualTo(Duration.ofSeconds(2));
    assertThat(hello.upgradeStrategy()).as("nothing given: the backend decides").isNull();
  }

  @Test
  void theRetiredDeletionFractionIsAcceptedWithAWarning() throws Exception {
    MdoConfig config = load("subscriber:\n  max-delete-fraction: 0.5\nservices: {}\n");
    assertThat(config.warnings()).singleElement().asString()
        .contains("config.yaml:2: subscriber.max-delete-fraction: no longer used");
    assertThat(config.subscriber().resyncUnhealthyAfter()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.marathon().listingTimeout()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void defaultsPointAtTheLocalDevCluster() throws Exception {
    MdoConfig config = load("services: {}\n");
    assertThat(config.marathon().urls()).containsExactly(URI.create("http://127.0.0.1:8080"));
    assertThat(config.etcd().endpoints()).containsExactly(URI.create("http://127.0.0.1:2379"));
    assertThat(config.subscriber().url()).isEqualTo(URI.create("http://127.0.0.1:5000"));
    assertThat(config.environment()).isEqualTo("default");
  }

  @Test
  void theDocumentedExampleIsValid() throws Exception {
    Path example = Path.of(System.getProperty("mdo.repo.root", "..")).resolve("config.yaml.example");
    MdoConfig config = ConfigLoader.load(example, Map.of());
    assertThat(config.services().keySet()).containsExactly("zookeeper", "kafka", "cassandra", "hello");
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void yamlSyntaxErrorNamesTheLine() {
    ConfigException e = failure("services:\n  web:\n    image: [unclosed\n    ports: {a: 1}\n");
    assertThat(e.problems()).hasSize(1);
    assertThat(e.getMessage()).startsWith(dir.resolve("config.yaml") + ":").contains("invalid YAML");
    assertThat(e.problems().get(0).line()).isBetween(3, 5);
  }

  @Test
  void duplicateKeysAreRefused() {
    ConfigException e = failure("services:\n  web:\n    image: a\n  web:\n    image: b\n");
    assertThat(e.getMessage()).contains("config.yaml:4").contains("Duplicate field 'web'");
  }

  @Test
  void unknownKeysGetADidYouMean() {
    ConfigException e = failure("services:\n  web:\n    image: a\n    instanses: 2\n");
    assertThat(e.getMessage())
        .isEqualTo(dir.resolve("config.yaml") + ":4: services.web.instanses: unknown key 'instanses' (did you mean"
            + " 'instances'?); allowed: image, cmd, args, ports, ports-hard, instances, cpus, cpu, mem, environment,"
            + " labels, constraints, volumes, health, network, marathon-format, upgrade-strategy");
  }

  @Test
  void wrongTypesNameFieldAndLine() {
    ConfigException e = failure("""
        marathon:
          port: eighty
        services:
          web:
            image: a
            instances: three
            cpus: [1]
            ports: 80
        """);
    assertThat(e.problems()).extracting(Object::toString).containsExactly(
        dir.resolve("config.yaml") + ":2: marathon.port: expected a whole number, got 'eighty'",
        dir.resolve("config.yaml") + ":6: services.web.instances: expected a whole number, got 'three'",
        dir.resolve("config.yaml") + ":7: services.web.cpus: expected a number, got a list",
        dir.resolve("config.yaml") + ":8: services.web.ports: expected a mapping (key: value lines), got 80");
  }

  @Test
  void invalidMarathonIdCharactersAreRefused() {
    ConfigException e = failure("environment: Prod\nservices:\n  my_web:\n    image: a\n  -web:\n    image: a\n");
    assertThat(e.problems()).extracting(Object::toString).containsExactly(
        dir.resolve("config.yaml") + ":1: environment: invalid environment name 'Prod': Marathon allows only lowercase"
            + " letters, digits, '-' and '.' (no '-' at the start or end); try 'prod'",
        dir.resolve("config.yaml") + ":3: services.my_web: invalid service name 'my_web': Marathon allows only"
            + " lowercase letters, digits, '-' and '.' (no '-' at the start or end)",
        dir.resolve("config.yaml") + ":5: services.-web: invalid service name '-web': Marathon allows only lowercase"
            + " letters, digits, '-' and '.' (no '-' at the start or end)");
  }

  @Test
  void duplicatePortNamesAcrossPortsAndPortsHardAreRefused() {
    ConfigException e = failure("services:\n  db:\n    image: a\n    ports: {storage: 7000}\n    ports-hard:\n      storage: 7001\n");
    assertThat(e.getMessage()).isEqualTo(dir.resolve("config.yaml") + ":6: services.db.ports-hard.storage: duplicate"
        + " port name 'storage' (port names must be unique across ports and ports-hard)");
  }

  @Test
  void portsOutOfRangeAreRefused() {
    ConfigException e = failure("services:\n  db:\n    image: a\n    ports: {a: 70000, b: -1}\n    ports-hard: {c: 0}\n");
    assertThat(e.problems()).extracting(ConfigException.Problem::field, ConfigException.Problem::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("services.db.ports.a", "port 70000 is out of range 0-65535"),
            org.assertj.core.groups.Tuple.tuple("services.db.ports.b", "port -1 is out of range 0-65535"),
            org.assertj.core.groups.Tuple.tuple("services.db.ports-hard.c", "port 0 is out of range 1-65535"));
    assertThat(e.problems()).extracting(ConfigException.Problem::line).containsExactly(4, 4, 5);
  }

  @Test
  void healthCheckOnAnUnknownPortIsRefused() {
    ConfigException e = failure("services:\n  db:\n    image: a\n    ports: {native: 9042, thrift: 9160}\n"
        + "    health:\n      protocol: tcp\n      port: nativ\n");
    assertThat(e.getMessage()).isEqualTo(dir.resolve("config.yaml") + ":7: services.db.health.port: no port named"
        + " 'nativ' in ports or ports-hard (did you mean 'native'?); known: [native, thrift]");
  }

  @Test
  void cmdAndArgsTogetherAreRefused() {
    ConfigException e = failure("services:\n  db:\n    image: a\n    cmd: run\n    args: [run]\n");
    assertThat(e.getMessage()).isEqualTo(dir.resolve("config.yaml") + ":5: services.db.args: give cmd or args, not both");
  }

  @Test
  void negativeInstancesAreRefused() {
    ConfigException e = failure("services:\n  db:\n    image: a\n    instances: -1\n");
    assertThat(e.getMessage()).isEqualTo(dir.resolve("config.yaml") + ":4: services.db.instances: must be 0 or more, got -1");
  }

  @Test
  void aServiceNeedsAnImageOrACommand() {
    ConfigException e = failure("services:\n  db:\n    instances: 1\n");
    assertThat(e.getMessage()).isEqualTo(dir.resolve("config.yaml") + ":2: services.db: give an image, a cmd, or both");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    ConfigException e = failure("services:\n  a:\n    image: x\n    mem: 0\n  b:\n    cmd: run\n    network: bridge\n"
        + "    volumes: [{container: /x, host: /y}]\n");
    assertThat(e.problems()).extracting(ConfigException.Problem::field)
        .containsExactly("services.a.mem", "services.b.network", "services.b.volumes");
    assertThat(e.getMessage()).startsWith("3 problems in " + dir.resolve("config.yaml"));
  }

  @Test
  void unknownServiceSuggestsTheClosestName() throws Exception {
    MdoConfig config = load(SEED);
    assertThatThrownBy(() -> config.service("casandra"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(dir.resolve("config.yaml") + ":11: services: no service 'casandra' (defined: zookeeper, kafka,"
            + " cassandra, ingestor). Did you mean 'cassandra'?");
  }

  @Test
  void credentialsMustBeComplete() {
    ConfigException e = failure("marathon:\n  url: http://m:8080\n  user: ops\n");
    assertThat(e.getMessage()).contains(":1: marathon: Marathon user and password go together");
  }

  @Test
  void badConstraintsAndDurationsNameTheElement() {
    ConfigException e = failure("services:\n  a:\n    image: x\n    constraints: [[hostname, UNIQE], [rack, LIKE]]\n"
        + "    health: {port: p, grace: soon}\n    ports: {p: 1}\n");
    assertThat(e.problems()).extracting(Object::toString).containsExactly(
        dir.resolve("config.yaml") + ":4: services.a.constraints[0]: unknown constraint operator 'UNIQE' (did you mean"
            + " UNIQUE?); Marathon knows [UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE, MAX_PER, IS]",
        dir.resolve("config.yaml") + ":4: services.a.constraints[1]: LIKE needs a value: [field, LIKE, value]",
        dir.resolve("config.yaml") + ":5: services.a.health.grace: expected a duration such as 30s, 2m, 1h or a"
            + " number of seconds, got 'soon'");
  }

  /** What Marathon's SchedulingValidation refuses with 422 is refused here, with file, line and field (exit 2). */
  @Test
  void constraintValuesAreCheckedAsMarathonChecksThem() {
    ConfigException e = failure("""
        services:
          a:
            image: x
            constraints:
              - [rack, MAX_PER, two]
              - [rack, GROUP_BY, "2.5"]
              - [rack, LIKE, "r[12"]
              - [rack, UNLIKE, "(a"]
              - [rack, IS, "rack 1"]
              - ["", CLUSTER, a]
              - [rack, MAX_PER, "2"]
              - [rack, GROUP_BY]
              - [rack, GROUP_BY, "3"]
              - [rack, IS, "r1.a/b_c-d"]
        """);
    String file = dir.resolve("config.yaml").toString();
    assertThat(e.problems()).extracting(Object::toString).containsExactly(
        file + ":5: services.a.constraints[0]: MAX_PER needs a whole number (at most that many instances per value),"
            + " got 'two'",
        file + ":6: services.a.constraints[1]: GROUP_BY takes a whole number (how many values to spread over) or no"
            + " value, got '2.5'",
        file + ":7: services.a.constraints[2]: LIKE needs a valid regular expression: Unclosed character class in"
            + " 'r[12'",
        file + ":8: services.a.constraints[3]: UNLIKE needs a valid regular expression: Unclosed group in '(a'",
        file + ":9: services.a.constraints[4]: IS compares with a Mesos text value: letters, digits and _ / . - only,"
            + " got 'rack 1'",
        file + ":10: services.a.constraints[5]: the constraint names no field, e.g. [hostname, CLUSTER]");
  }

  /** Marathon 1.5+ refuses a cmd shorter than two characters ("must not be an empty string"). */
  @Test
  void aOneCharacterCommandIsRefused() {
    ConfigException e = failure("services:\n  a:\n    cmd: x\n");
    assertThat(e.getMessage())
        .contains(":3: services.a.cmd: Marathon refuses a cmd shorter than two characters, got 'x'");
  }

  /**
   * With host networking Marathon's requirePorts fixes every port or none: a free port next to a fixed one would need a
   * service port (10000-20000) as its host port, which agents do not offer.
   */
  @Test
  void hostNetworkingCannotMixFreeAndFixedPorts() {
    ConfigException e = failure("services:\n  a:\n    cmd: run\n    ports: {http: 0}\n    ports-hard: {peer: 7000}\n");
    assertThat(e.getMessage()).contains(":4: services.a.ports: with host networking Marathon cannot give [http] a free"
        + " host port next to the fixed ones of ports-hard");
  }

  @Test
  void upgradeStrategiesAreSharesAndAStallingOneWithFixedPortsIsWarnedAbout() throws Exception {
    ConfigException e = failure("services:\n  a:\n    image: x\n    upgrade-strategy: {minimum-health-capacity: 2,"
        + " maximum-over-capacity: -1, minimum-healthy: 1}\n");
    assertThat(e.getMessage()).contains("services.a.upgrade-strategy.minimum-health-capacity: must be from 0 to 1")
        .contains("services.a.upgrade-strategy.maximum-over-capacity: must be from 0 to 1")
        .contains("unknown key 'minimum-healthy'");

    MdoConfig config = load("""
        services:
          zk:
            image: zookeeper
            ports-hard: {client: 2181}
            instances: 3
            upgrade-strategy: {minimum-health-capacity: 1}
          kafka:
            image: kafka
            ports-hard: {broker: 9092}
            instances: 3
            upgrade-strategy: {maximum-over-capacity: 0.5}
        """);
    assertThat(config.service("zk").upgradeStrategy()).isEqualTo(new UpgradeStrategy(1, 0));
    // mdo's share for fixed ports fills in what is not given
    assertThat(config.service("kafka").upgradeStrategy()).isEqualTo(new UpgradeStrategy(0.5, 0.5));
    assertThat(config.warnings()).singleElement().asString().contains(":6: services.zk.upgrade-strategy: with"
        + " ports-hard each instance needs a host of its own, and minimum-health-capacity 1.0 keeps all 3 old"
        + " instance(s) until new ones are healthy");
  }

  @Test
  void missingFileSaysHowToGiveOne() {
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.yaml"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("nope.yaml: no such file (give --config FILE or set MDO_CONFIG");
  }

  @Test
  void theMesosSectionIsReadWithItsSecretsFromTheEnvironment() throws Exception {
    Files.writeString(dir.resolve("mesos-ca.pem"), "not parsed by the loader");
    MdoConfig config = load("""
        backend: mesos
        mesos:
          urls: [https://m1:5050, "m2:5050"]
          role: prod/web
          framework-name: mdo-prod
          user: mdo
          failover-timeout: 24h
          ca-file: mesos-ca.pem
          unreachable-timeout: 90s
        services: {}
        """, Map.of("MESOS_PRINCIPAL", "mdo", "MESOS_SECRET", "s3cret"));

    assertThat(config.backend()).isEqualTo("mesos");
    MesosSettings m = config.mesos();
    assertThat(m.masters()).containsExactly(URI.create("https://m1:5050"), URI.create("http://m2:5050"));
    assertThat(m.principal()).isEqualTo("mdo");
    assertThat(m.secret()).isEqualTo("s3cret");
    assertThat(m.role()).isEqualTo("prod/web");
    assertThat(m.frameworkName()).isEqualTo("mdo-prod");
    assertThat(m.user()).isEqualTo("mdo");
    assertThat(m.failoverTimeout()).isEqualTo(Duration.ofHours(24));
    assertThat(m.caFile()).isEqualTo(dir.resolve("mesos-ca.pem"));
    assertThat(m.unreachableTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(m.toString()).doesNotContain("s3cret").contains("secret=***");
  }

  @Test
  void mesosDefaultsAreALocalMasterAndAWeekOfFailover() throws Exception {
    MesosSettings m = load("services: {}\n").mesos();

    assertThat(m.masters()).containsExactly(URI.create("http://127.0.0.1:5050"));
    assertThat(m.role()).isEqualTo("*");
    assertThat(m.frameworkName()).isEqualTo("mdo");
    assertThat(m.failoverTimeout()).isEqualTo(Duration.ofDays(7));
    assertThat(m.unreachableTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(m.principal()).isNull();
  }

  @Test
  void badMesosValuesNameFileLineAndField() {
    ConfigException e = failure("""
        backend: mesos
        mesos:
          url: mesos://m1:5050
          secret: s
          role: "-web"
          failover-timeout: 0s
          unreachable-timeout: 500ms
          framework-name: ""
          ca-file: missing.pem
          roles: [a]
        services: {}
        """);
    String f = dir.resolve("config.yaml").toString();
    assertThat(e.problems()).extracting(Object::toString).containsExactlyInAnyOrder(
        f + ":10: mesos.roles: unknown key 'roles' (did you mean 'role'?); allowed: host, port, url, urls, principal,"
            + " secret, role, framework-name, user, failover-timeout, ca-file, unreachable-timeout",
        f + ":3: mesos.url: expected an http(s)://host:port URL, got 'mesos://m1:5050'",
        f + ":4: mesos.secret: a Mesos secret needs a principal (set mesos.principal, or MESOS_PRINCIPAL)",
        f + ":5: mesos.role: Mesos role '-web' has a component starting with '-'",
        f + ":6: mesos.failover-timeout: must be longer than zero",
        f + ":7: mesos.unreachable-timeout: must be at least 1s (as Marathon's inactiveAfterSeconds), got 500ms",
        f + ":8: mesos.framework-name: must not be empty",
        f + ":9: mesos.ca-file: cannot read file " + dir.resolve("missing.pem"));
  }

  @Test
  void mesosCredentialsBelongInTheirFieldsNotTheUrlAndASecretOverHttpIsWarnedAbout() throws Exception {
    ConfigException e = failure("mesos:\n  url: http://mdo:s3cret@m1:5050\nservices: {}\n");
    assertThat(e.getMessage()).contains(":2: mesos.url: a Mesos master URL must not carry credentials")
        .contains("set mesos.principal and mesos.secret (or MESOS_PRINCIPAL/MESOS_SECRET)").doesNotContain("s3cret");

    MdoConfig clear = load("mesos: {url: http://m1:5050, principal: mdo}\nservices: {}\n", Map.of("MESOS_SECRET", "x"));
    assertThat(clear.warnings()).singleElement().asString().contains("mesos: the Mesos secret goes over plain http to"
        + " [http://m1:5050]");
    assertThat(load("mesos: {url: https://m1:5050, principal: mdo}\nservices: {}\n", Map.of("MESOS_SECRET", "x"))
        .warnings()).isEmpty();
  }

  @Test
  void anUnknownBackendSuggestsMesos() {
    ConfigException e = failure("backend: meso\nservices: {}\n");
    assertThat(e.getMessage()).endsWith(":1: backend: unknown backend 'meso' (did you mean mesos?); mdo knows"
        + " [marathon, mesos]");
  }

  @Test
  void withBackendKeepsEverythingElse() throws Exception {
    MdoConfig config = load("services: {web: {image: nginx}}\n");
    MdoConfig mesos = config.withBackend("mesos");

    assertThat(config.backend()).isEqualTo("marathon");
    assertThat(mesos.backend()).isEqualTo("mesos");
    assertThat(mesos.services()).isEqualTo(config.services());
    assertThat(mesos.etcd()).isEqualTo(config.etcd());
    assertThatThrownBy(() -> config.withBackend("kubernetes")).hasMessageContaining("unknown backend 'kubernetes'");
  }

  @Test
  void credentialsInsideUrlsAreRefusedWithoutRepeatingThemAndWithAPointerToTheSettings() {
    ConfigException e = failure("""
        marathon:
          urls: [http://ops:s3cret@m1:8080]
        etcd:
          endpoints: ["root:hunter2@e1:2379"]
        subscriber:
          url: http://u:pw@10.0.0.9:5000
        services: {}
        """);
    assertThat(e.problems()).extracting(Object::toString).containsExactly(
        dir.resolve("config.yaml") + ":2: marathon.urls[0]: " + MarathonSettings.CREDENTIALS_IN_URL,
        dir.resolve("config.yaml") + ":4: etcd.endpoints[0]: " + mdo.registry.EtcdSettings.CREDENTIALS_IN_URL,
        dir.resolve("config.yaml") + ":6: subscriber.url: the subscriber URL must not carry credentials"
            + " (user:password@host): tasks and Marathon get it, and it is logged");
    assertThat(e.getMessage()).doesNotContain("s3cret").doesNotContain("hunter2").doesNotContain("pw@");
  }

  @Test
  void credentialsInUrlsAreRefusedWhereverSettingsAreBuilt() {
    assertThatThrownBy(() -> MarathonSettings.of("http://ops:s3cret@m1:8080"))
        .hasMessage(MarathonSettings.CREDENTIALS_IN_URL);
    assertThatThrownBy(() -> mdo.registry.EtcdSettings.of("http://root:pw@e1:2379"))
        .hasMessage(mdo.registry.EtcdSettings.CREDENTIALS_IN_URL);
    assertThatThrownBy(() -> new SubscriberSettings("127.0.0.1", 5000, URI.create("http://a:b@h:5000"), null, null,
        null, null, null, null)).hasMessageContaining("must not carry credentials").hasMessageNotContaining("a:b");
  }

  @Test
  void yamlAliasesAreRefusedWithFileAndLine() {
    ConfigException e = failure("""
        services:
          web:
            image: &img nginx:1.25
          api:
            image: *img
        """);
    assertThat(e.getMessage()).isEqualTo(dir.resolve("config.yaml") + ":5: services.api.image: YAML aliases (*img) are"
        + " not supported: write the value out (an alias would be read as the string 'img')");
  }

  @Test
  void etcdCredentialsAndFilesComeFromTheEnvironmentWhenTheFileHasNone() throws Exception {
    Files.writeString(dir.resolve("ca.pem"), "x");
    Files.writeString(dir.resolve("client.pem"), "x");
    Files.writeString(dir.resolve("client.key"), "x");
    MdoConfig config = load("etcd:\n  endpoints: [https://e1:2379]\nservices: {}\n", Map.of("ETCD_USER", "mdo",
        "ETCD_PASSWORD", "from-env", "ETCD_CA_FILE", dir.resolve("ca.pem").toString(), "ETCD_CERT_FILE",
        dir.resolve("client.pem").toString(), "ETCD_KEY_FILE", dir.resolve("client.key").toString()));
    assertThat(config.etcd().user()).isEqualTo("mdo");
    assertThat(config.etcd().password()).isEqualTo("from-env");
    assertThat(config.etcd().caFile()).isEqualTo(dir.resolve("ca.pem"));
    assertThat(config.etcd().certFile()).isEqualTo(dir.resolve("client.pem"));
    assertThat(config.etcd().keyFile()).isEqualTo(dir.resolve("client.key"));
    assertThat(config.warnings()).isEmpty();
    assertThat(config.etcd().toString()).doesNotContain("from-env");
  }

  @Test
  void anEtcdPasswordOverPlainHttpIsWarnedAbout() throws Exception {
    MdoConfig config = load("etcd:\n  endpoints: [http://e1:2379]\n  user: mdo\nservices: {}\n",
        Map.of("ETCD_PASSWORD", "pw"));
    assertThat(config.warnings()).containsExactly(dir.resolve("config.yaml") + ":2: etcd.endpoints: the etcd password goes over"
        + " plain http to http://e1:2379, readable by anyone on the network path; use https endpoints (with ca-file),"
        + " or client certificates");
  }

  @Test
  void theSubscribersSecretsMayNotBeGivenToTasks() {
    ConfigException e = failure("""
        subscriber:
          token: admin-t0ken
          registration-secret: reg-s3cret
        services:
          web:
            image: nginx
            environment:
              MDO_TOKEN: admin-t0ken
              OTHER: reg-s3cret
              FINE: value
        """);
    assertThat(e.problems()).extracting(Object::toString).containsExactly(
        dir.resolve("config.yaml") + ":8: services.web.environment.MDO_TOKEN: holds the subscriber's admin token"
            + " (subscriber.token), which no task may get; remove it: with subscriber.registration-secret set, every"
            + " task gets its service's MDO_REGISTRATION_TOKEN",
        dir.resolve("config.yaml") + ":9: services.web.environment.OTHER: holds subscriber.registration-secret, which"
            + " no task may get; remove it: every task gets its service's MDO_REGISTRATION_TOKEN, derived from it");
  }

  @Test
  void registrationSecretAndCallbackSourcesAreRead() throws Exception {
    MdoConfig config = load("subscriber:\n  token: admin\n  callback-sources: [10.0.0.0/24, marathon.internal]\n"
        + "services: {}\n", Map.of("MDO_REGISTRATION_SECRET", "reg"));
    assertThat(config.subscriber().registrationSecret()).isEqualTo("reg");
    assertThat(config.subscriber().callbackSources()).containsExactly("10.0.0.0/24", "marathon.internal");
    assertThat(config.subscriber().toString()).doesNotContain("reg,").doesNotContain("admin");
    ConfigException same = failure("subscriber:\n  token: same\n  registration-secret: same\nservices: {}\n");
    assertThat(same.getMessage()).contains(":3: subscriber.registration-secret: must differ from subscriber.token");
  }
}
