package mdo.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import mdo.access.RegistrationTokens;
import mdo.access.SecretValues;
import mdo.config.HealthSpec;
import mdo.config.MdoConfig;
import mdo.config.ServiceSpec;
import mdo.config.ServiceSpec.MarathonFormat;
import mdo.config.ServiceSpec.Network;
import mdo.config.UpgradeStrategy;
import mdo.config.VolumeSpec;

/**
 * A service as mdo deploys it, whatever the backend: the config's {@link ServiceSpec} with what mdo adds to every
 * deployment (the task environment guests read, the labels that mark it as mdo's, one instance per host for fixed host
 * ports). Backends render it ({@link ClusterBackend}) and read what they run back into one, so launching an unchanged
 * service is decided here, from two definitions: {@link #differences}.
 *
 * @param id the deployment's id, {@code /<environment>/<service>}
 * @param image null for a command-only service
 * @param ports in declaration order (a port's index is its {@code PORT<i>})
 * @param requirePorts host networking with fixed ports: the host ports are exactly the declared ones
 * @param health null when the service has no health check
 * @param marathonFormat how the Marathon backend writes networking; not part of what is compared
 * @param upgradeStrategy how rolling upgrades replace instances; {@code null} when config.yaml leaves it to the backend
 *     (which then keeps what runs, see the Marathon backend). Compared only when the desired definition sets one.
 */
public record ServiceDefinition(String service, String id, String image, String cmd, List<String> args, double cpus,
    double mem, int instances, Map<String, String> environment, Map<String, String> labels,
    List<List<String>> constraints, Network network, List<Port> ports, boolean requirePorts,
    List<VolumeSpec> volumes, HealthSpec health, MarathonFormat marathonFormat, UpgradeStrategy upgradeStrategy) {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /**
   * A named port.
   *
   * @param containerPort the port inside the container; with host networking the task is told its port instead
   *     ({@code PORT_<NAME>}), so this only matters where {@code hostPort} fixes it
   * @param hostPort the fixed host port ({@code ports-hard}: the container port), 0 for any free one
   */
  public record Port(String name, int containerPort, int hostPort, String protocol) {
    public boolean fixed() {
      return hostPort > 0;
    }
  }

  public ServiceDefinition {
    args = args == null || args.isEmpty() ? null : List.copyOf(args);
    environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    constraints = constraints.stream().map(List::copyOf).toList();
    ports = List.copyOf(ports);
    volumes = List.copyOf(volumes);
  }

  /** The definition of {@code spec} in {@code config}'s environment. */
  public static ServiceDefinition of(MdoConfig config, ServiceSpec spec) {
    Map<String, String> labels = new LinkedHashMap<>(spec.labels());
    labels.put(Labels.SERVICE, spec.name());
    labels.put(Labels.ENVIRONMENT, config.environment());
    return new ServiceDefinition(spec.name(), Labels.appId(config.environment(), spec.name()), spec.image(),
        spec.cmd(), spec.args(), spec.cpus(), spec.mem(), spec.instances(), environment(config, spec), labels,
        constraints(spec), spec.network(), ports(spec), spec.network() == Network.HOST && spec.hasHardPorts(),
        spec.volumes(), spec.health(), spec.marathonFormat(), spec.upgradeStrategy());
  }

  public boolean commandOnly() {
    return image == null;
  }

  public boolean hostNetworking() {
    return network == Network.HOST;
  }

  public boolean hasFixedPorts() {
    return ports.stream().anyMatch(Port::fixed);
  }

  /** The index of a named port, or -1. */
  public int portIndex(String portName) {
    for (int i = 0; i < ports.size(); i++) if (ports.get(i).name().equals(portName)) return i;
    return -1;
  }

  private static List<Port> ports(ServiceSpec spec) {
    return spec.ports().stream()
        .map(p -> new Port(p.name(), p.containerPort(), p.hard() ? p.containerPort() : 0, p.protocol())).toList();
  }

  /**
   * What every task gets to find etcd, its environment and the subscriber, and to register callbacks for its own
   * service ({@link RegistrationTokens}, when the subscriber has a registration secret); the service's own env comes
   * last. Never the subscriber's admin token or the registration secret (the config loader refuses them there).
   */
  private static Map<String, String> environment(MdoConfig config, ServiceSpec spec) {
    Map<String, String> env = new LinkedHashMap<>();
    List<URI> endpoints = config.etcd().endpoints();
    env.put("ETCD_ENDPOINTS", config.etcd().endpointList());
    URI first = endpoints.get(0);
    env.put("ETCD_HOST_ADDRESS", first.getHost() + ":" + (first.getPort() > 0 ? first.getPort() : 2379));
    env.put("MDO_ENVIRONMENT", config.environment());
    env.put("SERVICE_NAME", spec.name());
    env.put("SUBSCRIBER_URL", config.subscriber().url().toString());
    String secret = config.subscriber().registrationSecret();
    if (secret != null) {
      env.put(RegistrationTokens.VARIABLE, RegistrationTokens.of(secret, config.environment(), spec.name()));
    }
    env.putAll(spec.environment());
    return env;
  }

  /** This definition with another instance count (a scale). */
  public ServiceDefinition withInstances(int count) {
    return new ServiceDefinition(service, id, image, cmd, args, cpus, mem, count, environment, labels, constraints,
        network, ports, requirePorts, volumes, health, marathonFormat, upgradeStrategy);
  }

  /** This definition with another image (updater's {@code --image}). */
  public ServiceDefinition withImage(String newImage) {
    return new ServiceDefinition(service, id, newImage, cmd, args, cpus, mem, instances, environment, labels,
        constraints, network, ports, requirePorts, volumes, health, marathonFormat, upgradeStrategy);
  }

  /** This definition with the values of secret environment variables masked, for printing ({@link SecretValues}). */
  public ServiceDefinition masked() {
    return new ServiceDefinition(service, id, image, cmd, args, cpus, mem, instances, SecretValues.masked(environment),
        labels, constraints, network, ports, requirePorts, volumes, health, marathonFormat, upgradeStrategy);
  }

  /** The user's constraints, plus {@code hostname UNIQUE} when a fixed host port allows one instance per host. */
  private static List<List<String>> constraints(ServiceSpec spec) {
    List<List<String>> out = new ArrayList<>(spec.constraints());
    boolean unique = spec.constraints().stream().anyMatch(c -> c.size() == 2
        && c.get(0).replace("@", "").equals("hostname") && c.get(1).equals("UNIQUE"));
    if (spec.hasHardPorts() && !unique) out.add(List.of("hostname", "UNIQUE"));
    return out;
  }

  /**
   * What changes from {@code current} to {@code desired}, one line per field (per key for the environment, labels and
   * upgrade strategy), e.g. {@code "cpus: 0.3 -> 0.5"}; empty when the backend already runs {@code desired}. The
   * upgrade strategy counts only when {@code desired} sets one. Values of secret environment variables are never
   * shown: {@code "env.DB_PASSWORD: *** -> *** (changed)"}.
   */
  public static List<String> differences(ServiceDefinition desired, ServiceDefinition current) {
    ObjectNode want = desired.canonical();
    ObjectNode have = current.canonical();
    if (desired.upgradeStrategy == null) want.remove("upgradeStrategy");
    List<String> out = new ArrayList<>();
    want.fieldNames().forEachRemaining(field -> {
      JsonNode w = want.get(field);
      JsonNode h = have.get(field);
      if (w.equals(h)) return;
      if (w.isObject() && h != null && h.isObject()) {
        TreeSet<String> keys = new TreeSet<>();
        w.fieldNames().forEachRemaining(keys::add);
        h.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
          if (w.path(k).equals(h.path(k))) continue;
          if (field.equals("env") && SecretValues.isSecret(k)) {
            out.add(field + "." + k + ": " + secret(h.get(k)) + " -> " + secret(w.get(k))
                + (h.get(k) != null && w.get(k) != null ? " (changed)" : ""));
          } else {
            out.add(field + "." + k + ": " + show(h.get(k)) + " -> " + show(w.get(k)));
          }
        }
      } else {
        out.add(field + ": " + show(h) + " -> " + show(w));
      }
    });
    return out;
  }

  /**
   * True when {@code desired} differs from {@code current} in the number of instances alone: a scale, which a backend
   * carries out without replacing running instances.
   */
  public static boolean scaleOnly(ServiceDefinition desired, ServiceDefinition current) {
    List<String> changes = differences(desired, current);
    return changes.size() == 1 && changes.get(0).startsWith("instances: ");
  }

  /**
   * The fields compared, in the order changes are listed. Ports show {@code name container:host/protocol}, host 0
   * meaning "any"; with host networking there is no container side, and a port is fixed only with requirePorts.
   */
  private ObjectNode canonical() {
    ObjectNode c = NODES.objectNode();
    c.set("cmd", cmd == null || cmd.isEmpty() ? NODES.nullNode() : NODES.textNode(cmd));
    ArrayNode a = NODES.arrayNode();
    if (args != null) args.forEach(a::add);
    c.set("args", args == null ? NODES.nullNode() : a);
    c.put("cpus", cpus);
    c.put("mem", mem);
    c.put("instances", instances);
    c.set("env", sorted(environment));
    c.set("labels", sorted(labels));
    TreeSet<String> sortedConstraints = new TreeSet<>();
    constraints.forEach(k -> sortedConstraints.add(String.join(":", k)));
    ArrayNode cs = c.putArray("constraints");
    sortedConstraints.forEach(cs::add);
    c.set("image", image == null || image.isEmpty() ? NODES.nullNode() : NODES.textNode(image));
    boolean host = hostNetworking();
    c.put("network", host ? "host" : "bridge");
    ArrayNode ps = c.putArray("ports");
    for (Port p : ports) {
      int container = host ? 0 : p.containerPort();
      int hostPort = host && !requirePorts ? 0 : p.hostPort();
      ps.add(p.name() + " " + container + ":" + hostPort + "/" + p.protocol());
    }
    c.put("requirePorts", host && requirePorts);
    ArrayNode vs = c.putArray("volumes");
    volumes.forEach(v -> vs.add(v.containerPath() + " " + v.hostPath() + " " + v.mode()));
    ArrayNode checks = c.putArray("healthChecks");
    if (health != null) checks.add(check(health));
    if (upgradeStrategy != null) {
      c.putObject("upgradeStrategy").put("minimumHealthCapacity", upgradeStrategy.minimumHealthCapacity())
          .put("maximumOverCapacity", upgradeStrategy.maximumOverCapacity());
    }
    return c;
  }

  private ObjectNode check(HealthSpec h) {
    ObjectNode c = NODES.objectNode().put("protocol", switch (h.protocol()) {
      case HTTP -> "MESOS_HTTP";
      case HTTPS -> "MESOS_HTTPS";
      case TCP -> "MESOS_TCP";
      case COMMAND -> "COMMAND";
    });
    if (h.protocol() == HealthSpec.Protocol.COMMAND) {
      c.put("command", h.command());
    } else {
      c.put("portIndex", Math.max(portIndex(h.port()), 0));
      if (h.protocol() != HealthSpec.Protocol.TCP) c.put("path", h.path() == null ? "/" : h.path());
    }
    c.put("grace", h.grace().toSeconds());
    c.put("interval", h.interval().toSeconds());
    c.put("timeout", h.timeout().toSeconds());
    c.put("maxFailures", h.maxFailures());
    c.put("delay", h.delay().toSeconds());
    return c;
  }

  private static ObjectNode sorted(Map<String, String> map) {
    ObjectNode out = NODES.objectNode();
    new TreeMap<>(map).forEach(out::put);
    return out;
  }

  private static String secret(JsonNode node) {
    return node == null || node.isNull() ? "(none)" : SecretValues.MASK;
  }

  private static String show(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode() ? "(none)" : node.isTextual() ? node.asText() : node.toString();
  }
}
