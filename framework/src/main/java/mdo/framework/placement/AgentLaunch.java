package mdo.framework.placement;

import java.util.List;

/** Everything one agent runs from this cycle: one ACCEPT naming all of the agent's offers. */
public record AgentLaunch(Agent agent, List<String> offerIds, List<TaskPlacement> tasks) {

  public AgentLaunch {
    offerIds = List.copyOf(offerIds);
    tasks = List.copyOf(tasks);
  }
}
