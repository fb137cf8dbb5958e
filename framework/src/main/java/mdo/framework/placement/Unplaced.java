package mdo.framework.placement;

import java.util.List;

/**
 * Tasks of a service that no agent took this cycle, and why, in the manner of Marathon's
 * {@code processedOffersSummary}: every offered agent is counted once, under the first check it failed.
 *
 * @param reason for people: {@code "no agent with port 9042 free"}, {@code "constraint hostname:UNIQUE: 3 agents
 *     already run one; insufficient mem: needs 512, largest offer 256 (7 agents)"}
 * @param rejections the same, one entry per check that turned agents away
 */
public record Unplaced(String service, List<String> taskIds, String reason, List<Rejection> rejections) {

  public Unplaced {
    taskIds = List.copyOf(taskIds);
    rejections = List.copyOf(rejections);
  }

  /** One check and the number of agents it turned away. */
  public record Rejection(String reason, int agents) {}
}
