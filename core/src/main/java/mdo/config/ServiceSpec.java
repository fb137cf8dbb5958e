package mdo.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of {@code services:}: what the launcher turns into a Marathon app.
 *
 * @param image Docker image; {@code null} for a command-only service (runs {@code cmd} on the agent, host network)
 * @param cmd shell command ({@code /bin/sh -c}); mutually exclusive with {@code args}
 * @param args argv passed to the image's entrypoint (or run directly without an image)
 * @param ports named ports in file order, {@code ports} first then {@code ports-hard}; index = Marathon portIndex
 * @param constraints Marathon constraints, each {@code [field, OPERATOR]} or {@code [field, OPERATOR, value]}
 * @param health {@code null} when the service has no health check
 * @param upgradeStrategy {@code upgrade-strategy}, its missing fields filled from {@link #defaultUpgradeStrategy};
 *     {@code null} when config.yaml says nothing
 */
public record ServiceSpec(
    String name,
    String image,
    String cmd,
    List<String> args,
    List<PortSpec> ports,
    int instances,
    double cpus,
    double mem,
    Map<String, String> environment,
    Map<String, String> labels,
    List<List<String>> constraints,
    List<VolumeSpec> volumes,
    HealthSpec health,
    Network network,
    MarathonFormat marathonFormat,
    UpgradeStrategy upgradeStrategy) {

  /** The seed's defaults (launcher.py): 1 instance, 0.3 CPUs, 512 MB. */
  public static final int DEFAULT_INSTANCES = 1;
  public static final double DEFAULT_CPUS = 0.3;
  public static final double DEFAULT_MEM = 512;

  public enum Network { BRIDGE, HOST }

  /** Which networking JSON Marathon understands: 1.5+ ({@code networks}) or 1.4 ({@code container.docker.network}). */
  public enum MarathonFormat {
    V1_5("1.5"), V1_4("1.4");

    public final String label;

    MarathonFormat(String label) {
      this.label = label;
    }
  }

  public ServiceSpec {
    args = args == null ? null : List.copyOf(args);
    ports = List.copyOf(ports);
    environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    constraints = constraints.stream().map(List::copyOf).toList();
    volumes = List.copyOf(volumes);
  }

  public boolean commandOnly() {
    return image == null;
  }

  public boolean hasHardPorts() {
    return ports.stream().anyMatch(PortSpec::hard);
  }

  /** What mdo sends without {@code upgrade-strategy}: one that gets through for fixed host ports, else Marathon's. */
  public UpgradeStrategy defaultUpgradeStrategy() {
    return hasHardPorts() ? UpgradeStrategy.forFixedHostPorts(instances) : UpgradeStrategy.MARATHON_DEFAULT;
  }

  /** The Marathon {@code portIndex} of a named port, or -1. */
  public int portIndex(String portName) {
    for (int i = 0; i < ports.size(); i++) if (ports.get(i).name().equals(portName)) return i;
    return -1;
  }
}
