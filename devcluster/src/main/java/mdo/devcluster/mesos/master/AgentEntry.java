package mdo.devcluster.mesos.master;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdo.devcluster.mesos.link.AgentChannel;
import mdo.devcluster.mesos.resources.Resources;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.Attribute;
import org.apache.mesos.v1.Protos.TimeInfo;

/** An agent as the master tracks it. Only the master's actor thread touches it. */
final class AgentEntry {
  /** REGISTERED: connected; UNREACHABLE: missed its pings; RECOVERED: known from before a master failover. */
  enum State { REGISTERED, UNREACHABLE, RECOVERED }

  final AgentID id;
  String hostname;
  int port;
  Resources total = Resources.empty();
  List<Attribute> attributes = List.of();
  AgentChannel channel;
  State state;
  TimeInfo unreachableTime;
  Instant registeredTime = Instant.now();
  /** Non-terminal and not yet acknowledged terminal tasks on this agent, by framework id + "/" + task id. */
  final Map<String, TrackedTask> tasks = new LinkedHashMap<>();

  AgentEntry(AgentID id, State state) {
    this.id = id;
    this.state = state;
  }

  static String key(String frameworkId, String taskId) {
    return frameworkId + "/" + taskId;
  }

  /** What tasks hold: a task gives its resources back when it reaches a terminal state. */
  Resources used() {
    Resources used = Resources.empty();
    for (TrackedTask t : tasks.values()) {
      if (!TrackedTask.terminal(t.task.getState())) used = used.plus(t.resources);
    }
    return used.withAllocation(null);
  }
}
