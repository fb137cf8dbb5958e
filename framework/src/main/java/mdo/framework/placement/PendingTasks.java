package mdo.framework.placement;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import mdo.config.PortSpec;
import mdo.config.ServiceSpec;

/**
 * Tasks of one service waiting for a place, all alike.
 *
 * @param instances the service's target instance count: GROUP_BY with a count divides it among the groups, as
 *     Marathon divides {@code app.instances}
 * @param mem MB per task
 * @param disk MB per task
 * @param ports the task's host ports in order: 0 for any free port of the offer, otherwise exactly that port (a
 *     {@code ports-hard} port), which the task waits for when no agent offers it
 * @param taskIds the ids the tasks will launch with, in the order they should be placed
 */
public record PendingTasks(
    String service,
    int instances,
    double cpus,
    double mem,
    double disk,
    List<Integer> ports,
    List<Constraint> constraints,
    List<String> taskIds) {

  public PendingTasks {
    Agent.requireText(service, "service");
    if (instances < 0) throw new IllegalArgumentException(service + ": instances must be >= 0, got " + instances);
    Scalars.requireAmount(cpus, service + ": cpus");
    Scalars.requireAmount(mem, service + ": mem");
    Scalars.requireAmount(disk, service + ": disk");
    ports = List.copyOf(ports);
    Set<Integer> fixed = new HashSet<>();
    for (int port : ports) {
      if (port < 0 || port > 65535) throw new IllegalArgumentException(service + ": port " + port + " is outside 0-65535");
      if (port != 0 && !fixed.add(port)) throw new IllegalArgumentException(service + ": port " + port + " is asked for twice");
    }
    constraints = List.copyOf(constraints);
    taskIds = List.copyOf(taskIds);
    for (String id : taskIds) Agent.requireText(id, service + ": task id");
  }

  /**
   * The tasks of a config.yaml service: its cpus and mem, a fixed host port for every {@code ports-hard} port and any
   * free port for the others, and its constraints plus {@code hostname:UNIQUE} when it has fixed ports, as the
   * Marathon backend adds it.
   */
  public static PendingTasks of(ServiceSpec spec, List<String> taskIds) {
    List<Integer> ports = new ArrayList<>();
    for (PortSpec p : spec.ports()) ports.add(p.hard() ? p.containerPort() : 0);
    List<Constraint> constraints = new ArrayList<>(Constraint.parseAll(spec.constraints()));
    boolean unique = constraints.stream().anyMatch(c -> c.operator() == Constraint.Operator.UNIQUE
        && (c.field().equals("hostname") || c.field().equals("@hostname")));
    if (spec.hasHardPorts() && !unique) constraints.add(Constraint.of("hostname", Constraint.Operator.UNIQUE));
    return new PendingTasks(spec.name(), spec.instances(), spec.cpus(), spec.mem(), 0, ports, constraints, taskIds);
  }

  /** The fixed host ports, in order. */
  public List<Integer> hardPorts() {
    return ports.stream().filter(p -> p != 0).toList();
  }

  /** How many ports the task takes wherever the offer has them free. */
  public int dynamicPorts() {
    return (int) ports.stream().filter(p -> p == 0).count();
  }
}
