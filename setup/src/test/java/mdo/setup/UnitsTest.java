package mdo.setup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every unit of setup/systemd passes {@code systemd-analyze verify} (no warning either) in the root setup/install
 * made, and carries the hardening and restart policy the cluster relies on.
 */
class UnitsTest {
  static final Path UNITS = Scratch.REPO.resolve("setup/systemd");
  /** Services that drop every privilege, and their users (the Mesos agent runs as root: Docker, cgroups, mounts). */
  static final Map<String, String> UNPRIVILEGED = Map.of("zookeeper", "zookeeper", "etcd", "etcd", "mesos-master", "mesos",
      "marathon", "marathon", "mdo-subscriber", "mdo", "mdo-framework", "mdo");

  @TempDir Path dir;

  @Test
  void everyUnitPassesSystemdAnalyzeVerify() throws IOException {
    Scratch node = new Scratch(dir, "10.0.0.11 10.0.0.12 10.0.0.13", "10.0.0.11");
    Scratch.Result install = node.install(Scratch.ALL_ROLES.toArray(String[]::new));
    assertThat(install.code()).as(install.out()).isZero();
    // systemd's own units (targets) for the root, and what a node gets from packages this root has not installed.
    Files.createDirectories(node.path("/usr/lib"));
    Scratch.Result copied = Scratch.run(List.of("cp", "-a", "/usr/lib/systemd", node.path("/usr/lib").toString()));
    assertThat(copied.code()).as(copied.out()).isZero();
    List<String> placeholders = new ArrayList<>();
    for (String binary : List.of("/usr/bin/java", "/usr/bin/etcd", "/usr/sbin/mesos-master", "/usr/sbin/mesos-agent",
        "/opt/marathon/bin/marathon", "/opt/mdo/bin/framework", "/bin/kill", "/usr/bin/dockerd")) {
      // Java, etcd and Docker come with Debian packages, Mesos and Marathon from their releases, the framework from a
      // later build: verify checks that each ExecStart binary exists, so an executable stands in for each.
      Path path = node.path(binary);
      if (Files.exists(path)) continue;
      Files.createDirectories(path.getParent());
      Files.writeString(path, "#!/bin/sh\nexit 0\n");
      path.toFile().setExecutable(true);
      placeholders.add(binary);
    }
    Path docker = node.path("/usr/lib/systemd/system/docker.service");
    if (!Files.exists(docker)) Files.writeString(docker, "[Unit]\nDescription=Docker (docker.io)\n[Service]\nExecStart=/usr/bin/dockerd\n");

    List<String> command = new ArrayList<>(List.of("systemd-analyze", "verify", "--root=" + node.root));
    command.addAll(unitNames());
    Scratch.Result verify = Scratch.run(command);
    assertThat(verify.out()).as("systemd-analyze verify (placeholders for %s)", placeholders).isEmpty();
    assertThat(verify.code()).isZero();
  }

  @Test
  void servicesRestartAndAreHardened() throws IOException {
    for (String unit : unitNames()) {
      String text = Files.readString(UNITS.resolve(unit));
      String name = unit.replace(".service", "");
      assertThat(text).as(unit).containsPattern("(?m)^Restart=(always|on-failure)$").contains("NoNewPrivileges=yes",
          "ProtectKernelModules=yes", "SystemCallArchitectures=native", "WantedBy=multi-user.target");
      if (UNPRIVILEGED.containsKey(name)) {
        assertThat(text).as(unit).containsPattern("(?m)^User=" + UNPRIVILEGED.get(name) + "$")
            .contains("ProtectSystem=strict", "CapabilityBoundingSet=\n", "PrivateTmp=yes", "ProtectHome=yes");
      } else {
        assertThat(text).as(unit).doesNotContain("User=").contains("ProtectSystem=full");
      }
      // Secrets only through EnvironmentFile (read by systemd as root), never inline.
      assertThat(text).as(unit).doesNotContainPattern("(?im)^Environment=.*(password|token|secret|credential)");
    }
  }

  static List<String> unitNames() throws IOException {
    try (Stream<Path> units = Files.list(UNITS)) {
      List<String> names = units.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".service")).sorted().toList();
      assertThat(names).contains("zookeeper.service", "etcd.service", "mesos-master.service", "mesos-agent.service",
          "marathon.service", "mdo-subscriber.service", "mdo-framework.service");
      return names;
    }
  }
}
