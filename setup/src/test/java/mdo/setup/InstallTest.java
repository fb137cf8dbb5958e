package mdo.setup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import mdo.config.ConfigLoader;
import mdo.config.MdoConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * setup/install against a scratch root, as an operator runs it on a node: a dry run changes nothing, a first run
 * writes the node's configuration, users and units, a second run changes nothing, and what it wrote is right: files
 * mdo reads, secrets only in root-only files, units enabled.
 */
class InstallTest {
  static final String[] ALL = Scratch.ALL_ROLES.toArray(String[]::new);
  @TempDir Path dir;

  @Test
  void aDryRunChangesNothingAndSaysWhatItWould() throws IOException {
    Scratch node = new Scratch(dir, "10.0.0.11 10.0.0.12 10.0.0.13", "10.0.0.12");
    Map<String, String> before = node.snapshot();
    Scratch.Result dry = node.install(concat("--dry-run", ALL));
    assertThat(dry.code()).as(dry.out()).isZero();
    assertThat(dry.out()).contains("would   /etc/default/etcd", "would   user mesos", "would   enabled marathon.service")
        .containsPattern("setup: [0-9]+ change\\(s\\) would be made");
    assertThat(node.snapshot()).as("the tree after a dry run").isEqualTo(before);
  }

  @Test
  void aSecondRunChangesNothing() throws IOException {
    Scratch node = new Scratch(dir, "10.0.0.11 10.0.0.12 10.0.0.13", "10.0.0.12");
    Scratch.Result first = node.install(ALL);
    assertThat(first.code()).as(first.out()).isZero();
    assertThat(first.out()).containsPattern("setup: [0-9]+ change\\(s\\) made");
    Map<String, String> afterFirst = node.snapshot();

    Scratch.Result second = node.install(ALL);
    assertThat(second.code()).as(second.out()).isZero();
    assertThat(second.out()).endsWith("setup: nothing to change\n").doesNotContain("  change ");
    assertThat(node.snapshot()).as("the tree after the second run").isEqualTo(afterFirst);
  }

  @Test
  void theNodeGetsItsConfigurationUsersAndUnits() throws IOException {
    Scratch node = new Scratch(dir, "10.0.0.11 10.0.0.12 10.0.0.13", "10.0.0.13");
    Scratch.Result run = node.install(ALL);
    assertThat(run.code()).as(run.out()).isZero();

    assertThat(node.read("/etc/default/etcd")).contains("ETCD_NAME=etcd3\n",
        "ETCD_INITIAL_CLUSTER=etcd1=http://10.0.0.11:2380,etcd2=http://10.0.0.12:2380,etcd3=http://10.0.0.13:2380\n",
        "ETCD_LISTEN_CLIENT_URLS=http://10.0.0.13:2379,http://127.0.0.1:2379\n", "ETCD_INITIAL_CLUSTER_TOKEN=itcluster-etcd\n");
    assertThat(node.read("/etc/zookeeper/mdo/zoo.cfg")).contains("server.1=10.0.0.11:2888:3888\n",
        "server.3=10.0.0.13:2888:3888", "clientPortAddress=10.0.0.13\n");
    assertThat(node.read("/var/lib/zookeeper/mdo/myid")).isEqualTo("3\n");
    assertThat(node.read("/etc/default/mesos-master")).contains(
        "MESOS_ZK=zk://10.0.0.11:2181,10.0.0.12:2181,10.0.0.13:2181/mesos\n", "MESOS_QUORUM=2\n", "MESOS_CLUSTER=itcluster\n");
    assertThat(node.read("/etc/default/mesos-agent")).contains("MESOS_CONTAINERIZERS=docker,mesos\n",
        "MESOS_MASTER=zk://10.0.0.11:2181,10.0.0.12:2181,10.0.0.13:2181/mesos\n");
    assertThat(node.read("/etc/default/marathon")).contains("MARATHON_ZK=zk://10.0.0.11:2181,10.0.0.12:2181,10.0.0.13:2181/marathon\n")
        .doesNotContain("PASSWORD", "CREDENTIALS");

    // The shared secrets reach the services only through files only root reads (systemd reads them as root).
    String password = secret(node, "MARATHON_PASSWORD");
    String token = secret(node, "MDO_SUBSCRIBER_TOKEN");
    String registration = secret(node, "MDO_REGISTRATION_SECRET");
    assertThat(password).hasSizeGreaterThanOrEqualTo(32);
    assertThat(node.read("/etc/marathon/credentials.env")).contains("MARATHON_HTTP_CREDENTIALS=mdo:" + password + "\n");
    assertThat(node.read("/etc/mdo/credentials.env")).contains("MARATHON_PASSWORD=" + password + "\n",
        "MDO_SUBSCRIBER_TOKEN=" + token + "\n", "MDO_REGISTRATION_SECRET=" + registration + "\n");
    assertThat(List.of(password, token, registration)).doesNotHaveDuplicates();
    for (String secretFile : List.of("/etc/mdo/secrets.env", "/etc/marathon/credentials.env", "/etc/mdo/credentials.env")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(node.path(secretFile))))
          .as(secretFile).isEqualTo("rw-------");
      assertThat(Files.getOwner(node.path(secretFile)).getName()).as(secretFile).isEqualTo("root");
    }

    // config.yaml is one mdo itself reads, pointing at every node, without a secret in it.
    String yaml = node.read("/etc/mdo/config.yaml");
    assertThat(yaml).doesNotContain(password, token, registration);
    MdoConfig config = ConfigLoader.load(node.path("/etc/mdo/config.yaml"),
        Map.of("MARATHON_PASSWORD", password, "MDO_SUBSCRIBER_TOKEN", token, "MDO_REGISTRATION_SECRET", registration));
    assertThat(config.environment()).isEqualTo("it");
    assertThat(config.marathon().urls().toString()).contains("http://10.0.0.11:8080", "http://10.0.0.12:8080",
        "http://10.0.0.13:8080");
    assertThat(config.etcd().endpoints().toString()).contains("10.0.0.11:2379", "10.0.0.12:2379", "10.0.0.13:2379");
    assertThat(config.subscriber().url().toString()).isEqualTo("http://10.0.0.13:5000");
    assertThat(config.subscriber().token()).isEqualTo(token);
    assertThat(config.subscriber().registrationSecret()).isEqualTo(registration);

    // Dedicated users without a login (a Debian package may have made one with /bin/false), mdo under /opt/mdo (root's files, the repository's layout), units enabled.
    String passwd = node.read("/etc/passwd");
    for (String user : List.of("zookeeper", "etcd", "mesos", "marathon", "mdo")) {
      assertThat(passwd).containsPattern("(?m)^" + user + ":x:[0-9]+:[0-9]+:[^:]*:[^:]*:(/usr/sbin/nologin|/bin/false)$");
    }
    assertThat(node.path("/opt/mdo/bin/subscriber")).isExecutable();
    assertThat(Files.list(node.path("/opt/mdo/subscriber/target")).map(p -> p.getFileName().toString()))
        .anyMatch(n -> n.matches("mdo-subscriber-.*\\.jar"));
    assertThat(Files.getOwner(node.path("/opt/mdo/subscriber/target/lib")).getName()).isEqualTo("root");
    for (String unit : List.of("zookeeper", "etcd", "mesos-master", "mesos-agent", "marathon", "mdo-subscriber")) {
      assertThat(node.path("/etc/systemd/system/multi-user.target.wants/" + unit + ".service")).as(unit).isSymbolicLink();
    }
    assertThat(node.path("/etc/systemd/system/mdo-framework.service")).exists();
    assertThat(node.path("/etc/systemd/system/multi-user.target.wants/mdo-framework.service"))
        .as("Marathon schedules the services").doesNotExist();
    assertThat(run.out()).contains("BACKEND=marathon in cluster.conf: Marathon schedules the services");
  }

  @Test
  void withBackendMesosTheFrameworkRunsAndNothingGetsMarathonsPassword() throws IOException {
    Scratch node = new Scratch(dir, "10.0.0.11 10.0.0.12 10.0.0.13", "10.0.0.12");
    Files.writeString(node.config, "BACKEND=mesos\n", java.nio.file.StandardOpenOption.APPEND);
    Scratch.Result run = node.install("secrets", "etcd", "mesos-master", "mesos-agent", "subscriber", "framework");
    assertThat(run.code()).as(run.out()).isZero();

    assertThat(node.path("/opt/mdo/bin/framework")).isExecutable();
    assertThat(Files.list(node.path("/opt/mdo/framework/target")).map(p -> p.getFileName().toString()))
        .anyMatch(n -> n.matches("mdo-framework-.*\\.jar"));
    for (String unit : List.of("mdo-subscriber", "mdo-framework")) {
      assertThat(node.path("/etc/systemd/system/multi-user.target.wants/" + unit + ".service")).as(unit).isSymbolicLink();
    }
    String token = secret(node, "MDO_SUBSCRIBER_TOKEN");
    String registration = secret(node, "MDO_REGISTRATION_SECRET");
    assertThat(node.read("/etc/mdo/credentials.env")).doesNotContain("MARATHON_PASSWORD")
        .contains("MDO_SUBSCRIBER_TOKEN=" + token + "\n");
    MdoConfig config = ConfigLoader.load(node.path("/etc/mdo/config.yaml"),
        Map.of("MDO_SUBSCRIBER_TOKEN", token, "MDO_REGISTRATION_SECRET", registration));
    assertThat(config.backend()).isEqualTo("mesos");
    assertThat(config.mesos().masters().toString()).contains("http://10.0.0.11:5050", "http://10.0.0.12:5050",
        "http://10.0.0.13:5050");
    assertThat(config.etcd().endpoints().toString()).contains("10.0.0.11:2379", "10.0.0.12:2379", "10.0.0.13:2379");
  }

  @Test
  void anUnknownBackendIsRefusedBeforeAnythingIsWritten() throws IOException {
    Scratch node = new Scratch(dir, "10.0.0.11 10.0.0.12 10.0.0.13", "10.0.0.12");
    Files.writeString(node.config, "BACKEND=kubernetes\n", java.nio.file.StandardOpenOption.APPEND);
    Map<String, String> before = node.snapshot();
    Scratch.Result run = node.install(ALL);
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.out()).contains("BACKEND must be marathon or mesos, got 'kubernetes'");
    assertThat(node.snapshot()).isEqualTo(before);
  }

  @Test
  void secretsAreMadeOnceAndKept() throws IOException {
    Scratch node = new Scratch(dir, "10.0.0.11 10.0.0.12 10.0.0.13", "10.0.0.11");
    assertThat(node.install("secrets").code()).isZero();
    String first = node.read("/etc/mdo/secrets.env");
    Scratch.Result again = node.install("secrets");
    assertThat(again.out()).contains("ok      /etc/mdo/secrets.env");
    assertThat(node.read("/etc/mdo/secrets.env")).isEqualTo(first);
    Scratch other = new Scratch(dir.resolve("other"), "10.0.0.11 10.0.0.12 10.0.0.13", "10.0.0.12");
    Scratch.Result withoutSecrets = other.install("subscriber");
    assertThat(withoutSecrets.code()).isEqualTo(1);
    assertThat(withoutSecrets.out()).contains("no /etc/mdo/secrets.env: run `setup/install secrets` on one node and copy"
        + " the file to this one");
  }

  @Test
  void aWrongClusterConfIsRefusedBeforeAnythingIsWritten() throws IOException {
    Scratch node = new Scratch(dir, "10.0.0.11 10.0.0.12 10.0.0.13", "10.0.0.11");
    Map<String, String> before = node.snapshot();
    Map<String, String> mistakes = Map.of(
        "NODES=10.0.0.11 10.0.0.12\nNODE=10.0.0.11\n", "NODES has 2 nodes; ZooKeeper, etcd and Mesos need an odd number",
        "NODES=10.0.0.11 10.0.0.12 10.0.0.13\nNODE=10.0.0.99\n", "NODE 10.0.0.99 is not one of NODES",
        "NODES=10.0.0.11\nNODE=10.0.0.11\nMESOS_QUORUM=1\n", "cluster.conf:3: unknown key MESOS_QUORUM",
        "NODES=10.0.0.11\nNODE=10.0.0.11\nthis is not a setting\n", "cluster.conf:3: expected KEY=value",
        "NODES=10.0.0.11;rm\nNODE=10.0.0.11\n", "is not a host name or IPv4 address",
        "NODES=10.0.0.11\nNODE=10.0.0.11\nSUBSCRIBER_PORT=99999\n", "SUBSCRIBER_PORT must be a port number");
    for (Map.Entry<String, String> mistake : mistakes.entrySet()) {
      Files.writeString(node.config, mistake.getKey());
      Scratch.Result run = node.install(ALL);
      assertThat(run.code()).as(mistake.getKey()).isEqualTo(1);
      assertThat(run.out()).as(mistake.getKey()).contains(mistake.getValue());
    }
    assertThat(node.snapshot()).isEqualTo(before);
    Files.writeString(node.config, "NODES=10.0.0.11\nNODE=10.0.0.11\n");
    assertThat(node.install("nonsense").out()).contains("unknown role nonsense");
  }

  private static String secret(Scratch node, String key) {
    return node.read("/etc/mdo/secrets.env").lines().filter(l -> l.startsWith(key + "=")).findFirst()
        .map(l -> l.substring(key.length() + 1)).orElseThrow();
  }

  private static String[] concat(String first, String[] rest) {
    String[] out = new String[rest.length + 1];
    out[0] = first;
    System.arraycopy(rest, 0, out, 1, rest.length);
    return out;
  }
}
