package mdo.devcluster.mesos.master;

import mdo.devcluster.mesos.resources.Resources;
import org.apache.mesos.v1.Protos.Task;
import org.apache.mesos.v1.Protos.TaskState;

/**
 * A task the master knows: Mesos' {@code Task} message (latest state, statuses, the state and uuid of the update
 * last forwarded to the framework) plus the resources it holds on its agent.
 */
final class TrackedTask {
  final Task.Builder task;
  final Resources resources;

  TrackedTask(Task.Builder task, Resources resources) {
    this.task = task;
    this.resources = resources;
  }

  String id() {
    return task.getTaskId().getValue();
  }

  String agentId() {
    return task.getAgentId().getValue();
  }

  String frameworkId() {
    return task.getFrameworkId().getValue();
  }

  /** What reconciliation reports: the state of the update the framework has seen last, else the latest state. */
  TaskState reportedState() {
    return task.hasStatusUpdateState() ? task.getStatusUpdateState() : task.getState();
  }

  static boolean terminal(TaskState state) {
    return switch (state) {
      case TASK_FINISHED, TASK_FAILED, TASK_KILLED, TASK_LOST, TASK_ERROR, TASK_DROPPED, TASK_GONE,
           TASK_GONE_BY_OPERATOR -> true;
      default -> false;
    };
  }
}
