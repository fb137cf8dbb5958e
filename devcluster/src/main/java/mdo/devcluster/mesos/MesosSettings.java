package mdo.devcluster.mesos;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import mdo.devcluster.mesos.resources.Resources;

/**
 * How the Mesos mode runs. {@link #defaults(Path)} gives what {@code bin/devcluster up --mesos} uses: Mesos' own
 * timings (15 s heartbeats, 1 s allocation, status updates resent after 10 s doubling to 10 min, no offer timeout)
 * and this machine's cpus, memory and disk, sized as a Mesos agent sizes them.
 *
 * @param host address the master binds to (loopback by default)
 * @param port the master's port (Mesos: 5050; 0 = any free port)
 * @param hostname the agent's host name in offers and task statuses
 * @param agentResources everything the agent offers
 * @param offerTimeout {@code --offer_timeout}: offers held longer are rescinded; null = never
 * @param defaultKillGrace SIGTERM-to-SIGKILL grace for tasks without a kill policy (the command executor's 3 s)
 * @param credentials {@code user:password} required on every request (HTTP basic), or null
 * @param containerEngines the container CLIs to try for image tasks, in order: the first whose engine answers runs them
 * @param masters how many masters run; the first leads, the others redirect to it
 */
public record MesosSettings(
    String host,
    int port,
    Path stateDir,
    String hostname,
    Resources agentResources,
    Duration heartbeat,
    Duration allocationInterval,
    Duration offerTimeout,
    Duration updateRetry,
    Duration maxUpdateRetry,
    Duration defaultKillGrace,
    String credentials,
    List<String> containerEngines,
    int masters) {

  public static final int DEFAULT_PORT = 5050;

  public MesosSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(stateDir, "stateDir");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, got " + port);
    if (credentials != null && !credentials.contains(":")) {
      throw new IllegalArgumentException("credentials must look like user:password");
    }
    if (agentResources.scalar("cpus") <= 0 || agentResources.scalar("mem") <= 0) {
      throw new IllegalArgumentException("the agent needs cpus and mem to offer, got " + agentResources);
    }
    if (masters < 1) throw new IllegalArgumentException("at least one master runs, got " + masters);
    containerEngines = List.copyOf(containerEngines);
  }

  public static MesosSettings defaults(Path stateDir) {
    return new MesosSettings("127.0.0.1", DEFAULT_PORT, stateDir, "127.0.0.1", machineResources(stateDir, "31000-32000"),
        Duration.ofSeconds(15), Duration.ofSeconds(1), null, Duration.ofSeconds(10), Duration.ofMinutes(10),
        Duration.ofSeconds(3), null, List.of("docker", "podman"), 1);
  }

  /**
   * This machine as a Mesos agent sees it ({@code Containerizer::resources}): every cpu, memory less 1 GB (half when
   * below 2 GB), the state dir's disk less 5 GB (half when below 10 GB), and the given port ranges.
   *
   * @param ports ranges as Mesos writes them inside brackets, e.g. {@code 31000-32000,2181-2181}
   */
  public static Resources machineResources(Path stateDir, String ports) {
    long memMb = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize() / (1024 * 1024);
    long mem = memMb >= 2048 ? memMb - 1024 : memMb / 2;
    long diskMb;
    try {
      Path existing = stateDir;
      while (existing != null && !Files.exists(existing)) existing = existing.getParent();
      diskMb = Files.getFileStore(existing == null ? Path.of("/") : existing).getTotalSpace() / (1024 * 1024);
    } catch (IOException e) {
      diskMb = 10240;
    }
    long disk = diskMb >= 10240 ? diskMb - 5120 : diskMb / 2;
    return Resources.parse("cpus:" + Runtime.getRuntime().availableProcessors() + ";mem:" + mem + ";disk:" + disk
        + ";ports:[" + ports + "]");
  }

  public MesosSettings withPort(int newPort) {
    return new MesosSettings(host, newPort, stateDir, hostname, agentResources, heartbeat, allocationInterval,
        offerTimeout, updateRetry, maxUpdateRetry, defaultKillGrace, credentials, containerEngines, masters);
  }

  public MesosSettings withHost(String newHost) {
    return new MesosSettings(newHost, port, stateDir, hostname, agentResources, heartbeat, allocationInterval,
        offerTimeout, updateRetry, maxUpdateRetry, defaultKillGrace, credentials, containerEngines, masters);
  }

  public MesosSettings withAgentResources(Resources resources) {
    return new MesosSettings(host, port, stateDir, hostname, resources, heartbeat, allocationInterval, offerTimeout,
        updateRetry, maxUpdateRetry, defaultKillGrace, credentials, containerEngines, masters);
  }

  public MesosSettings withTimings(Duration newHeartbeat, Duration newAllocationInterval, Duration newUpdateRetry) {
    return new MesosSettings(host, port, stateDir, hostname, agentResources, newHeartbeat, newAllocationInterval,
        offerTimeout, newUpdateRetry, maxUpdateRetry, defaultKillGrace, credentials, containerEngines, masters);
  }

  public MesosSettings withOfferTimeout(Duration timeout) {
    return new MesosSettings(host, port, stateDir, hostname, agentResources, heartbeat, allocationInterval, timeout,
        updateRetry, maxUpdateRetry, defaultKillGrace, credentials, containerEngines, masters);
  }

  public MesosSettings withDefaultKillGrace(Duration grace) {
    return new MesosSettings(host, port, stateDir, hostname, agentResources, heartbeat, allocationInterval,
        offerTimeout, updateRetry, maxUpdateRetry, grace, credentials, containerEngines, masters);
  }

  public MesosSettings withCredentials(String userColonPassword) {
    return new MesosSettings(host, port, stateDir, hostname, agentResources, heartbeat, allocationInterval,
        offerTimeout, updateRetry, maxUpdateRetry, defaultKillGrace, userColonPassword, containerEngines, masters);
  }

  public MesosSettings withContainerEngines(List<String> clis) {
    return new MesosSettings(host, port, stateDir, hostname, agentResources, heartbeat, allocationInterval,
        offerTimeout, updateRetry, maxUpdateRetry, defaultKillGrace, credentials, clis, masters);
  }

  public MesosSettings withMasters(int count) {
    return new MesosSettings(host, port, stateDir, hostname, agentResources, heartbeat, allocationInterval,
        offerTimeout, updateRetry, maxUpdateRetry, defaultKillGrace, credentials, containerEngines, count);
  }
}
