package mdo.devcluster.mesos.link;

import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;

/**
 * A task status update on its way from the agent to the master ({@code StatusUpdateMessage}). The status carries a
 * uuid; the agent resends it until the framework acknowledges that uuid.
 *
 * @param latestState the task's state on the agent right now, which may be ahead of {@code status} while earlier
 *     updates wait for their acknowledgement
 */
public record StatusUpdate(FrameworkID frameworkId, TaskStatus status, TaskState latestState) {}
