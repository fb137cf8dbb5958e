package mdo.framework.desired;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import mdo.cluster.ServiceDefinition;

/**
 * Service ports as Marathon assigns them ({@code AssignDynamicServiceLogic}, from {@code --local_port_min..max},
 * 10000-20000): a host-network port declared with a number keeps it; every other port gets, first, a service port the
 * service had before and no longer names, then the lowest one no service of the environment uses. Nothing listens on
 * them; tasks see them as Marathon's {@code PORT_<number>} keys.
 */
public final class ServicePorts {
  static final int MIN = 10000;
  static final int MAX = 20000;

  private ServicePorts() {}

  /**
   * @param previous the service's service ports so far (empty for a new service)
   * @param taken the service ports of the environment's other services
   */
  public static List<Integer> assign(ServiceDefinition d, List<Integer> previous, Collection<Integer> taken) {
    List<Integer> out = new ArrayList<>();
    Set<Integer> used = new HashSet<>(taken);
    for (ServiceDefinition.Port p : d.ports()) {
      int declared = d.hostNetworking() ? (p.fixed() ? p.hostPort() : p.containerPort()) : 0;
      out.add(declared);
      if (declared != 0) used.add(declared);
    }
    List<Integer> reusable = new ArrayList<>();
    for (int port : previous) if (!used.contains(port) && port >= MIN && port <= MAX) reusable.add(port);
    int next = MIN;
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i) != 0) continue;
      int port;
      if (!reusable.isEmpty()) {
        port = reusable.remove(0);
      } else {
        while (used.contains(next) && next <= MAX) next++;
        if (next > MAX) throw new IllegalStateException("no service port left in " + MIN + "-" + MAX);
        port = next;
      }
      used.add(port);
      out.set(i, port);
    }
    return out;
  }
}
