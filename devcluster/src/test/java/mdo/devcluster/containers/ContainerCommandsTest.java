package mdo.devcluster.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command lines the engines run: what a container gets (network, published ports, volumes, env), what stays off
 * the command line (env values, visible in {@code ps}), and the podman flags this kind of machine needs. The engines
 * themselves run in docker-images' tests, with real images.
 */
class ContainerCommandsTest {
  @TempDir Path dir;

  static ContainerSpec spec(ContainerSpec.Network network, List<ContainerSpec.PortMapping> ports, Map<String, String> env) {
    return new ContainerSpec("mdo-app.instance-1._app.1", "localhost/mdo/sample:latest", network, ports, env,
        List.of(new ContainerSpec.Volume("/srv/data", "/data", true)), List.of("--verbose"),
        List.of(new ContainerSpec.Parameter("memory-swap", "64m")), false, Map.of("MESOS_TASK_ID", "app.instance-1._app.1"));
  }

  @Test
  void bridgeNetworkingPublishesEveryMappingAndTheImageComesLast() {
    ProcessBuilder run = new DockerEngine("/usr/bin/docker").run(spec(ContainerSpec.Network.BRIDGE,
        List.of(new ContainerSpec.PortMapping(31005, 8080, "tcp"), new ContainerSpec.PortMapping(31006, 53, "udp")),
        Map.of()));
    assertThat(run.command()).startsWith("/usr/bin/docker", "run", "--rm", "--name", "mdo-app.instance-1._app.1")
        .contains("--network=bridge", "--publish=31005:8080/tcp", "--publish=31006:53/udp", "--volume=/srv/data:/data:ro",
            "--label=MESOS_TASK_ID=app.instance-1._app.1", "--memory-swap=64m")
        .endsWith("localhost/mdo/sample:latest", "--verbose");
  }

  @Test
  void hostAndNoneNetworkingPublishNothing() {
    DockerEngine docker = new DockerEngine("docker");
    assertThat(docker.run(spec(ContainerSpec.Network.HOST, List.of(), Map.of())).command()).contains("--network=host")
        .noneMatch(a -> a.startsWith("--publish"));
    assertThat(docker.run(spec(ContainerSpec.Network.NONE, List.of(), Map.of())).command()).contains("--network=none");
  }

  @Test
  void environmentValuesTravelInTheClientsEnvironmentNotOnItsCommandLine() {
    ProcessBuilder run = new DockerEngine("docker").run(spec(ContainerSpec.Network.HOST, List.of(),
        Map.of("MDO_TOKEN", "s3cret-token", "PORT_HTTP", "31005")));
    assertThat(run.command()).contains("--env=MDO_TOKEN", "--env=PORT_HTTP");
    assertThat(String.join(" ", run.command())).doesNotContain("s3cret-token");
    assertThat(run.environment()).containsEntry("MDO_TOKEN", "s3cret-token").containsEntry("PORT_HTTP", "31005");
  }

  @Test
  void variablesTheCliReadsItselfGoOnTheCommandLineAndLeaveItsEnvironmentAlone() {
    String ownPath = System.getenv("PATH");
    ProcessBuilder run = new DockerEngine("docker").run(spec(ContainerSpec.Network.HOST, List.of(),
        Map.of("PATH", "/app/bin:/usr/bin", "DOCKER_HOST", "tcp://elsewhere:2375")));
    assertThat(run.command()).contains("--env=PATH=/app/bin:/usr/bin", "--env=DOCKER_HOST=tcp://elsewhere:2375");
    assertThat(run.environment().get("PATH")).isEqualTo(ownPath);
    assertThat(run.environment()).doesNotContainKey("DOCKER_HOST");
  }

  @Test
  void forcePullAsksForAFreshImage() {
    ContainerSpec spec = new ContainerSpec("c", "img", ContainerSpec.Network.NONE, List.of(), Map.of(), List.of(),
        List.of(), List.of(), true, Map.of());
    assertThat(new DockerEngine("docker").run(spec).command()).contains("--pull=always");
  }

  @Test
  void podmanRunsWithRuncAndTheOpenFilesLimitOfThisProcessAndAtMost32768Processes() throws IOException {
    Path limits = Files.writeString(dir.resolve("limits"), """
        Limit                     Soft Limit           Hard Limit           Units
        Max processes             96367                96367                processes
        Max open files            20000                20000                files
        """);
    PodmanEngine podman = new PodmanEngine("/usr/bin/podman", "/usr/sbin/runc", limits);
    assertThat(podman.run(spec(ContainerSpec.Network.HOST, List.of(), Map.of())).command())
        .startsWith("/usr/bin/podman", "--runtime", "/usr/sbin/runc", "run", "--rm")
        .contains("--ulimit=nofile=20000:20000", "--ulimit=nproc=32768:32768");
    assertThat(podman.command("stop", "--time", "3", "x")).containsExactly("/usr/bin/podman", "--runtime",
        "/usr/sbin/runc", "stop", "--time", "3", "x");
  }

  @Test
  void podmanWithoutRuncOrReadableLimitsKeepsItsRuntimeAndConservativeLimits() {
    PodmanEngine podman = new PodmanEngine("podman", null, dir.resolve("missing"));
    assertThat(podman.run(spec(ContainerSpec.Network.HOST, List.of(), Map.of())).command())
        .startsWith("podman", "run").contains("--ulimit=nofile=1024:1024", "--ulimit=nproc=32768:32768");
  }

  @Test
  void badSpecsAreRefusedWithTheirReason() {
    assertThatThrownBy(() -> new ContainerSpec("-bad", "img", ContainerSpec.Network.HOST, List.of(), Map.of(), List.of(),
        List.of(), List.of(), false, Map.of())).hasMessageContaining("container name");
    assertThatThrownBy(() -> new ContainerSpec("c", "--privileged", ContainerSpec.Network.HOST, List.of(), Map.of(),
        List.of(), List.of(), List.of(), false, Map.of())).hasMessageContaining("image");
    assertThatThrownBy(() -> new ContainerSpec("c", "img", ContainerSpec.Network.HOST,
        List.of(new ContainerSpec.PortMapping(31000, 80, "tcp")), Map.of(), List.of(), List.of(), List.of(), false,
        Map.of())).hasMessageContaining("only with bridge");
    assertThatThrownBy(() -> new ContainerSpec.PortMapping(0, 80, "tcp")).hasMessageContaining("out of range");
    assertThatThrownBy(() -> new ContainerSpec.PortMapping(31000, 80, "http")).hasMessageContaining("protocol");
    assertThatThrownBy(() -> new ContainerSpec.Volume("data", "/data", false)).hasMessageContaining("absolute");
    assertThatThrownBy(() -> new ContainerSpec.Volume("/a", "/b:rw", false)).hasMessageContaining("':'");
    assertThatThrownBy(() -> new ContainerSpec.Parameter("--privileged", "true")).hasMessageContaining("option names");
    assertThatThrownBy(() -> new ContainerSpec("c", "img", ContainerSpec.Network.HOST, List.of(), Map.of("A=B", "x"),
        List.of(), List.of(), List.of(), false, Map.of())).hasMessageContaining("environment variable names");
  }

  @Test
  void aMissingCliIsReportedPerCandidate() {
    EngineDetector.Detection found = new EngineDetector(List.of(dir.resolve("docker").toString(), "no-such-podman-cli"))
        .detect();
    assertThat(found.engine()).isNull();
    assertThat(found.problem()).contains(dir.resolve("docker") + ": not installed")
        .contains("no-such-podman-cli: not installed");
  }

  @Test
  void aCliWhoseEngineDoesNotAnswerIsSkippedWithWhatItSaid() throws IOException {
    // A docker CLI without a daemon, as on this kind of machine: `docker info` fails.
    Path docker = dir.resolve("docker");
    Files.writeString(docker, """
        #!/bin/sh
        case "$1" in
          --version) echo "Docker version 28.2.2, build e6534b4" ;;
          info) echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock." >&2; exit 1 ;;
        esac
        """);
    docker.toFile().setExecutable(true);
    EngineDetector.Detection found = new EngineDetector(List.of(docker.toString())).detect();
    assertThat(found.engine()).isNull();
    assertThat(found.problem()).contains("`docker info --format {{.ServerVersion}}` failed: Cannot connect to the"
        + " Docker daemon");
  }

  @Test
  void aCliThatCallsItselfPodmanGetsThePodmanAdapterWhateverItsName() throws IOException {
    Path docker = dir.resolve("docker"); // podman-docker installs podman under this name
    Files.writeString(docker, """
        #!/bin/sh
        case "$1" in
          --version) echo "podman version 4.3.1" ;;
          info) echo runc ;;
        esac
        """);
    docker.toFile().setExecutable(true);
    ContainerEngine engine = new EngineDetector(List.of(docker.toString())).detect().engine();
    assertThat(engine).isInstanceOf(PodmanEngine.class);
    assertThat(engine.name()).isEqualTo("podman");
  }
}
