package mdo.devcluster.mesos.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import mdo.devcluster.run.LocalTaskRunner;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Task;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;

/** One task on the agent, with its command executor's state. Only the agent's actor thread touches it. */
final class AgentTask {
  final FrameworkInfo framework;
  final TaskInfo info;
  final String containerId;
  final StatusUpdateStream updates;
  TaskState state = TaskState.TASK_STAGING;
  /** Every update generated, oldest first (the agent reports them when it re-registers). */
  final List<TaskStatus> statuses = new ArrayList<>();
  LocalTaskRunner.Started started;
  LaunchPlan plan;
  boolean killed;
  /** Its framework was shut down: its updates are no longer sent (the update manager cleaned them up). */
  boolean abandoned;
  boolean killedByHealthCheck;
  ScheduledFuture<?> killTimer;
  ScheduledFuture<?> retry;
  HealthChecker health;

  AgentTask(FrameworkInfo framework, TaskInfo info, String containerId, StatusUpdateStream updates) {
    this.framework = framework;
    this.info = info;
    this.containerId = containerId;
    this.updates = updates;
  }

  String key() {
    return framework.getId().getValue() + "/" + info.getTaskId().getValue();
  }

  /** The command executor's id is the task's id. */
  ExecutorID executorId() {
    return ExecutorID.newBuilder().setValue(info.getTaskId().getValue()).build();
  }

  boolean terminal() {
    return switch (state) {
      case TASK_FINISHED, TASK_FAILED, TASK_KILLED, TASK_ERROR, TASK_LOST, TASK_DROPPED, TASK_GONE,
           TASK_GONE_BY_OPERATOR -> true;
      default -> false;
    };
  }

  /** The task as a re-registering agent reports it. */
  Task toTask(AgentID agent) {
    Task.Builder task = Task.newBuilder()
        .setName(info.getName())
        .setTaskId(info.getTaskId())
        .setFrameworkId(framework.getId())
        .setAgentId(agent)
        .setState(state)
        .addAllResources(info.getResourcesList())
        .addAllStatuses(statuses);
    if (updates.front() != null) {
      task.setStatusUpdateState(updates.front().getState()).setStatusUpdateUuid(updates.front().getUuid());
    }
    if (info.hasLabels()) task.setLabels(info.getLabels());
    if (info.hasDiscovery()) task.setDiscovery(info.getDiscovery());
    if (info.hasContainer()) task.setContainer(info.getContainer());
    if (info.hasHealthCheck()) task.setHealthCheck(info.getHealthCheck());
    return task.build();
  }
}
