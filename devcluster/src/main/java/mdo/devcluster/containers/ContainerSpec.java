package mdo.devcluster.containers;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A Docker container to run, in terms that neither Marathon's app JSON nor Mesos' TaskInfo owns: both map onto it.
 *
 * @param name the container's name (unique on this machine); the engine's commands address it by this name
 * @param image the image reference, run as it is named (pulled only when missing, or always with {@code forcePull})
 * @param network host, bridge (with {@code ports} published) or none
 * @param ports host-to-container port mappings; only with {@link Network#BRIDGE}
 * @param env the container's environment
 * @param volumes host directories mounted into the container
 * @param args arguments after the image (the image's CMD when empty)
 * @param parameters extra {@code --key=value} options for {@code run} (Marathon's {@code docker.parameters})
 * @param forcePull pull the image even when a local copy exists
 * @param labels container labels, for finding it from outside
 */
public record ContainerSpec(
    String name,
    String image,
    Network network,
    List<PortMapping> ports,
    Map<String, String> env,
    List<Volume> volumes,
    List<String> args,
    List<Parameter> parameters,
    boolean forcePull,
    Map<String, String> labels) {

  /** Docker's rule for container names. */
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final List<String> PROTOCOLS = List.of("tcp", "udp", "sctp");

  public enum Network { HOST, BRIDGE, NONE }

  /** {@code -p hostPort:containerPort/protocol}. */
  public record PortMapping(int hostPort, int containerPort, String protocol) {
    public PortMapping {
      if (hostPort < 1 || hostPort > 65535 || containerPort < 1 || containerPort > 65535) {
        throw new IllegalArgumentException("port mapping " + hostPort + ":" + containerPort
            + " is out of range 1-65535");
      }
      if (!PROTOCOLS.contains(protocol)) {
        throw new IllegalArgumentException("port protocol must be one of " + PROTOCOLS + ", got '" + protocol + "'");
      }
    }
  }

  /** {@code -v hostPath:containerPath[:ro]}. */
  public record Volume(String hostPath, String containerPath, boolean readOnly) {
    public Volume {
      for (String path : List.of(hostPath, containerPath)) {
        if (!path.startsWith("/") || path.contains(":") || path.contains(",")) {
          throw new IllegalArgumentException("volume paths must be absolute and contain no ':' or ',', got '"
              + path + "'");
        }
      }
    }
  }

  /** {@code --key=value}. */
  public record Parameter(String key, String value) {
    public Parameter {
      if (!key.matches("[a-z][a-z0-9-]*")) {
        throw new IllegalArgumentException("docker parameter keys are option names such as 'memory-swap', got '"
            + key + "'");
      }
    }
  }

  public ContainerSpec {
    Objects.requireNonNull(network, "network");
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("container name must match " + NAME + ", got '" + name + "'");
    }
    if (image == null || image.isBlank() || image.startsWith("-") || image.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("image must be an image reference, got '" + image + "'");
    }
    if (network != Network.BRIDGE && !ports.isEmpty()) {
      throw new IllegalArgumentException("ports are published only with bridge networking, not " + network);
    }
    for (String key : env.keySet()) {
      if (!ENV_NAME.matcher(key).matches()) {
        throw new IllegalArgumentException("environment variable names must match " + ENV_NAME + ", got '" + key + "'");
      }
    }
    for (String key : labels.keySet()) {
      if (key.isEmpty() || key.contains("=")) {
        throw new IllegalArgumentException("label keys must be non-empty without '=', got '" + key + "'");
      }
    }
    ports = List.copyOf(ports);
    env = Map.copyOf(env);
    volumes = List.copyOf(volumes);
    args = List.copyOf(args);
    parameters = List.copyOf(parameters);
    labels = Map.copyOf(labels);
  }
}
