package mdo.devcluster.mesos.agent;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.mesos.v1.Protos.TaskStatus;

/**
 * One task's status updates on the agent, as the task status update manager keeps them
 * ({@code src/slave/task_status_update_manager.cpp}): only the oldest unacknowledged update is in flight; it is resent
 * with a backoff (10 s doubling to 10 min) until the framework acknowledges its uuid, and only then does the next one
 * go out. Only the agent's actor thread touches it.
 */
final class StatusUpdateStream {
  private final Deque<TaskStatus> pending = new ArrayDeque<>();
  private final Duration initialRetry;
  private final Duration maxRetry;
  private Duration nextRetry;

  StatusUpdateStream(Duration initialRetry, Duration maxRetry) {
    this.initialRetry = initialRetry;
    this.maxRetry = maxRetry;
    this.nextRetry = initialRetry;
  }

  /** Queues an update; true when it is the one to send now (nothing else waits for an acknowledgement). */
  boolean add(TaskStatus status) {
    pending.addLast(status);
    if (pending.size() == 1) {
      nextRetry = initialRetry;
      return true;
    }
    return false;
  }

  /** The update in flight, or null. */
  TaskStatus front() {
    return pending.peekFirst();
  }

  /** True when {@code uuid} acknowledges the update in flight, which is then dropped. */
  boolean acknowledge(ByteString uuid) {
    TaskStatus front = pending.peekFirst();
    if (front == null || !front.getUuid().equals(uuid)) return false;
    pending.removeFirst();
    nextRetry = initialRetry;
    return true;
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  /** How long to wait before the next resend; each call doubles the wait, up to the maximum. */
  Duration retryDelay() {
    Duration delay = nextRetry;
    nextRetry = nextRetry.multipliedBy(2).compareTo(maxRetry) > 0 ? maxRetry : nextRetry.multipliedBy(2);
    return delay;
  }

  /** A reconnected framework gets the update in flight at once, and the backoff starts over. */
  void resetBackoff() {
    nextRetry = initialRetry;
  }
}
