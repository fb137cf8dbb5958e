package mdo.guestutils;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import mdo.registry.InstanceRecord;
import mdo.registry.PortMapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * maestro-ng's guest functions ({@code maestro/guestutils.py}) backed by the live registry in etcd, with the
 * environment as the fallback when etcd cannot be reached. Names, argument order, defaults, result types and error
 * messages are maestro's; node lists hold external (host) ports and are sorted by ordinal, then task id, so every member
 * computes the same list.
 *
 * <pre>{@code
 * GuestUtils g = GuestUtils.fromEnvironment();
 * List<String> zk = g.getNodeList("zookeeper", List.of("client"));   // ["10.0.0.5:31000", ...]
 * int storage = g.getPort("storage", 7000);                            // the port to bind inside the container
 * }</pre>
 */
public final class GuestUtils implements AutoCloseable {
  /** Created on first use: SLF4J's start-up is not worth paying on the CLI's quiet path. */
  private static Logger log() {
    return LoggerFactory.getLogger(GuestUtils.class);
  }

  private final GuestEnv env;
  private final RegistryReader reader;
  private boolean warnedUnavailable;

  /** @param reader the registry, or {@code null} to answer from the environment alone */
  public GuestUtils(GuestEnv env, RegistryReader reader) {
    this.env = env;
    this.reader = reader;
  }

  /** Reads etcd through its JSON gateway at {@code ETCD_ENDPOINTS}; see {@link GuestConfig}. */
  public static GuestUtils fromEnvironment() {
    GuestEnv env = GuestEnv.system();
    return new GuestUtils(env, GuestConfig.from(env, null).reader());
  }

  public GuestEnv env() {
    return env;
  }

  // ---- identity (maestro: get_environment_name ... get_container_internal_address)

  /** The environment's name; never fails: {@code MDO_ENVIRONMENT}, {@code MAESTRO_ENVIRONMENT_NAME} or {@code default}. */
  public String getEnvironmentName() {
    return env.environmentName();
  }

  public String getServiceName() {
    String name = env.serviceName();
    if (name == null) throw new GuestUtilsException("Service name was not defined");
    return name;
  }

  public String getContainerName() {
    String name = env.containerName();
    if (name == null) throw new GuestUtilsException("Container name was not defined");
    return name;
  }

  /** The publicly reachable address of this container's host ({@code CONTAINER_HOST_ADDRESS}, Marathon's {@code HOST}). */
  public String getContainerHostAddress() {
    String address = env.hostAddress();
    if (address == null) {
      InstanceRecord self = self();
      if (self != null) address = self.host();
    }
    if (address == null) throw new GuestUtilsException("Container host address was not defined");
    return address;
  }

  /** The container's own private address: eth0's IPv4 address, else the first non-loopback one. */
  public String getContainerInternalAddress() {
    try {
      NetworkInterface eth0 = NetworkInterface.getByName("eth0");
      String address = eth0 == null ? null : firstAddress(List.of(eth0));
      if (address == null) address = firstAddress(Collections.list(NetworkInterface.getNetworkInterfaces()));
      if (address != null) return address;
    } catch (SocketException e) {
      throw new GuestUtilsException("Container internal address could not be read: " + e.getMessage(), e);
    }
    throw new GuestUtilsException("Container internal address was not found (no eth0 and no non-loopback address)");
  }

  private static String firstAddress(List<NetworkInterface> interfaces) throws SocketException {
    for (NetworkInterface nic : interfaces) {
      if (!nic.isUp() || nic.isLoopback()) continue;
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLinkLocalAddress()) return a.getHostAddress();
      }
    }
    return null;
  }

  // ---- ports (maestro: get_port, get_specific_port, get_specific_exposed_port)

  /** This container's internal (exposed) port called {@code name}: the port to bind. */
  public int getPort(String name) {
    return getPort(name, null);
  }

  public int getPort(String name, Integer defaultValue) {
    return getSpecificExposedPort(getServiceName(), getContainerName(), name, defaultValue);
  }

  /** The external (host) port {@code port} of instance {@code container} of {@code service}. */
  public int getSpecificPort(String service, String container, String port) {
    return getSpecificPort(service, container, port, null);
  }

  public int getSpecificPort(String service, String container, String port, Integer defaultValue) {
    Integer value = env.externalPort(service, container, port);
    boolean self = env.isSelf(service, container);
    if (value == null && self) value = env.marathonPort(port);
    if (value == null) value = registryPort(service, container, port, false);
    if (value == null) value = defaultValue;
    if (value == null) {
      throw new GuestUtilsException("No port " + port + " defined for container " + container + " of service " + service);
    }
    return value;
  }

  /** The internal (exposed) port {@code port} of instance {@code container} of {@code service}. */
  public int getSpecificExposedPort(String service, String container, String port) {
    return getSpecificExposedPort(service, container, port, null);
  }

  public int getSpecificExposedPort(String service, String container, String port, Integer defaultValue) {
    Integer value = env.internalPort(service, container, port);
    if (value == null) value = registryPort(service, container, port, true);
    if (value == null && env.isSelf(service, container)) value = env.marathonPort(port);
    if (value == null) value = defaultValue;
    if (value == null) {
      throw new GuestUtilsException(
          "No internal port " + port + " defined for container " + container + " of service " + service);
    }
    return value;
  }

  private Integer registryPort(String service, String container, String port, boolean internal) {
    ServiceSnapshot snapshot = trySnapshot(service);
    InstanceRecord r = snapshot == null ? null : snapshot.find(container);
    PortMapping m = r == null ? null : r.ports().get(port);
    if (m == null) return null;
    return internal ? m.container() : m.host();
  }

  // ---- hosts and node lists (maestro: get_specific_host, get_node_list)

  public String getSpecificHost(String service, String container) {
    String host = null;
    if (!env.isSelf(service, container) || env.hostAddress() == null) {
      ServiceSnapshot snapshot = trySnapshot(service);
      InstanceRecord r = snapshot == null ? null : snapshot.find(container);
      if (r != null) host = r.host();
    }
    if (host == null) host = env.host(service, container);
    if (host == null) throw new GuestUtilsException("No host defined for container " + container + " of service " + service);
    return host;
  }

  public List<String> getNodeList(String service) {
    return getNodeList(service, List.of(), 1);
  }

  public List<String> getNodeList(String service, List<String> ports) {
    return getNodeList(service, ports, 1);
  }

  public List<String> getNodeList(String service, List<String> ports, int minimum) {
    return getNodeList(service, ports, minimum, NodeQuery.defaults());
  }

  /**
   * {@code host[:port[:port]]} for every matching instance, external ports in the order given, sorted by ordinal then
   * task id. Waits up to {@code query.timeout()} for at least {@code minimum} of them, then fails naming what it saw.
   */
  public List<String> getNodeList(String service, List<String> ports, int minimum, NodeQuery query) {
    return waitFor(service, minimum, query).format(service, ports);
  }

  /** The matching instance records themselves (same filter, order and wait as {@link #getNodeList}). */
  public List<InstanceRecord> getNodes(String service, int minimum, NodeQuery query) {
    Nodes nodes = waitFor(service, minimum, query);
    if (nodes.records() == null) {
      throw new GuestUtilsException("No registry data for " + service + ": etcd is unreachable");
    }
    return nodes.records();
  }

  /** This instance's stable ordinal (0..n-1, kept by its replacement): from the registry, else {@code MDO_ORDINAL}. */
  public int getOrdinal() {
    InstanceRecord self = self();
    if (self != null) return self.ordinal();
    Integer ordinal = env.ordinal();
    if (ordinal != null) return ordinal;
    throw new GuestUtilsException(
        "No ordinal defined for container " + getContainerName() + " of service " + getServiceName());
  }

  private InstanceRecord self() {
    String service = env.serviceName();
    String task = env.taskId();
    if (service == null || task == null) return null;
    ServiceSnapshot snapshot = trySnapshot(service);
    return snapshot == null ? null : snapshot.find(task);
  }

  private Nodes waitFor(String service, int minimum, NodeQuery query) {
    long deadline = System.nanoTime() + query.timeout().toNanos();
    while (true) {
      ServiceSnapshot snapshot = trySnapshot(service);
      Nodes nodes = snapshot != null ? Nodes.of(snapshot, query) : Nodes.fromEnv(env, service);
      if (nodes.count() >= minimum) return nodes;
      long left = deadline - System.nanoTime();
      // Without etcd the environment is all there is, and it never changes: no point waiting.
      if (left <= 0 || reader == null) throw notEnough(service, minimum, query, nodes, snapshot);
      try {
        if (reader != null && snapshot != null) reader.awaitChange(snapshot.revision(), Duration.ofNanos(left));
        else Thread.sleep(Math.max(1, Math.min(Duration.ofNanos(left).toMillis(), 250)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new GuestUtilsException("Interrupted while waiting for " + service + " nodes", e);
      }
    }
  }

  private static GuestUtilsException notEnough(
      String service, int minimum, NodeQuery query, Nodes nodes, ServiceSnapshot snapshot) {
    StringBuilder detail = new StringBuilder("No or not enough " + service + " nodes configured (wanted at least ")
        .append(minimum).append(query.includeUnready() ? "" : " ready").append(", found ").append(nodes.count());
    if (!query.timeout().isZero()) detail.append(" after waiting ").append(query.timeout().toMillis()).append(" ms");
    if (snapshot == null) {
      detail.append("; no registry (etcd unreachable or not configured), answered from the environment");
    } else {
      List<String> seen = new ArrayList<>();
      for (InstanceRecord r : snapshot.instances()) {
        seen.add(r.taskId() + "@" + r.host() + " " + r.state() + (r.draining() ? " draining" : "")
            + (Boolean.FALSE.equals(r.healthy()) ? " unhealthy" : "") + (query.matches(r) ? "" : " (filtered out)"));
      }
      detail.append("; registry revision ").append(snapshot.revision()).append(" has ").append(seen);
      if (!query.labels().isEmpty()) detail.append("; labels wanted ").append(query.labels());
    }
    return new GuestUtilsException(detail.append(')').toString());
  }

  /** The registry's view of a service, or {@code null} when etcd is unreachable (then callers use the environment). */
  private ServiceSnapshot trySnapshot(String service) {
    if (reader == null) return null;
    try {
      return reader.read(service);
    } catch (RegistryUnavailableException e) {
      if (!warnedUnavailable) {
        warnedUnavailable = true;
        log().warn("answering from the environment: {}", e.getMessage());
      }
      return null;
    }
  }

  @Override
  public void close() {
    if (reader != null) reader.close();
  }
}
