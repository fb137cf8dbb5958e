package mdo.framework.placement;

import java.util.Objects;

/**
 * A task that already runs (or was launched and not yet reported terminal), counted by UNIQUE, GROUP_BY, MAX_PER and
 * CLUSTER. Like Marathon, pass only the instances of the service's current configuration: an instance that a rolling
 * update is about to replace must not keep its replacement off its agent.
 */
public record RunningTask(String service, String taskId, Agent agent) {

  public RunningTask {
    Agent.requireText(service, "service");
    Agent.requireText(taskId, "task id");
    Objects.requireNonNull(agent, "agent");
  }
}
