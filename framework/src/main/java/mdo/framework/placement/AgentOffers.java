package mdo.framework.placement;

import java.util.List;
import java.util.Objects;

/**
 * What one agent offers this cycle: the sum of all its outstanding offers. The placer combines records that name the
 * same agent, so a caller may also pass one record per offer.
 *
 * @param offerIds every offer the resources come from; an ACCEPT for the agent names them all
 * @param mem MB
 * @param disk MB
 */
public record AgentOffers(Agent agent, List<String> offerIds, double cpus, double mem, double disk, List<PortRange> ports) {

  public AgentOffers {
    Objects.requireNonNull(agent, "agent");
    offerIds = List.copyOf(offerIds);
    if (offerIds.isEmpty()) throw new IllegalArgumentException("agent " + agent.id() + ": no offer ids");
    Scalars.requireAmount(cpus, "cpus offered by agent " + agent.id());
    Scalars.requireAmount(mem, "mem offered by agent " + agent.id());
    Scalars.requireAmount(disk, "disk offered by agent " + agent.id());
    ports = List.copyOf(ports);
  }
}
