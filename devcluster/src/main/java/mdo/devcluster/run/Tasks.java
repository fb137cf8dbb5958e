package mdo.devcluster.run;

import java.util.Map;
import java.util.Set;

/** Mesos task states and the instance conditions Marathon derives from them (API.md §1.3). */
final class Tasks {
  static final Set<String> TERMINAL = Set.of("TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR",
      "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR", "TASK_UNKNOWN", "TASK_LOST");
  private static final Map<String, String> CONDITIONS = Map.of(
      "TASK_STAGING", "Staging", "TASK_STARTING", "Starting", "TASK_RUNNING", "Running",
      "TASK_KILLING", "Killing", "TASK_KILLED", "Killed", "TASK_FAILED", "Failed", "TASK_FINISHED", "Finished",
      "TASK_ERROR", "Error");

  private Tasks() {}

  static boolean isTerminal(String state) {
    return TERMINAL.contains(state);
  }

  static String condition(String state) {
    return CONDITIONS.getOrDefault(state, "Unknown");
  }
}
