package mdo.framework.placement;

import java.util.List;
import java.util.Optional;

/**
 * One cycle's decisions.
 *
 * @param launches one per agent that got tasks, ordered by agent id: at most one ACCEPT per agent
 * @param unusedOfferIds offers of agents that got nothing, to DECLINE
 * @param unplaced the services with tasks left waiting, in the order they were asked for
 */
public record PlacementResult(List<AgentLaunch> launches, List<String> unusedOfferIds, List<Unplaced> unplaced) {

  public PlacementResult {
    launches = List.copyOf(launches);
    unusedOfferIds = List.copyOf(unusedOfferIds);
    unplaced = List.copyOf(unplaced);
  }

  public int placedCount() {
    return launches.stream().mapToInt(l -> l.tasks().size()).sum();
  }

  public Optional<Unplaced> unplaced(String service) {
    return unplaced.stream().filter(u -> u.service().equals(service)).findFirst();
  }
}
