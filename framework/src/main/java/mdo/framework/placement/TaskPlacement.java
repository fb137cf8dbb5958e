package mdo.framework.placement;

import java.util.List;

/**
 * One task placed on an agent: the resources to launch it with.
 *
 * @param ports the host ports, in the order of {@link PendingTasks#ports()}
 */
public record TaskPlacement(String taskId, String service, double cpus, double mem, double disk, List<Integer> ports) {

  public TaskPlacement {
    ports = List.copyOf(ports);
  }
}
