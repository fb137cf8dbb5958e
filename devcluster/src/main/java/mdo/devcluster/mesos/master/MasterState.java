package mdo.devcluster.mesos.master;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import mdo.devcluster.mesos.resources.Resources;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.MasterInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.Task;
import org.apache.mesos.v1.Protos.TaskStatus;

/**
 * {@code GET /master/state}: the parts of the master's state JSON ({@code src/master/readonly_handler.cpp},
 * {@code src/common/http.cpp}) that operators and {@code bin/devcluster status} read, with Mesos' field names.
 */
final class MasterState {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Copies taken on the actor thread. */
  record Snapshot(MasterInfo info, Instant startTime, boolean leading, String leader, List<FrameworkView> frameworks,
                  List<FrameworkInfo> completedFrameworks, List<Task> completedTasks, List<AgentView> agents) {}

  record FrameworkView(FrameworkInfo info, boolean active, boolean connected, boolean recovered, Instant registered,
                       Instant reregistered, List<Task> tasks, List<Task> unreachableTasks, List<Offer> offers) {}

  record AgentView(String id, String hostname, int port, String state, Instant registered, Resources total,
                   Resources used, Resources offered) {}

  private MasterState() {}

  static FrameworkView framework(Framework f) {
    return new FrameworkView(f.info, f.active, f.connected(), f.recovered, f.registeredTime, f.reregisteredTime,
        f.tasks.values().stream().map(t -> t.task.build()).toList(),
        f.unreachableTasks.values().stream().map(t -> t.task.build()).toList(),
        f.offers.values().stream().map(OutstandingOffer::offer).toList());
  }

  static AgentView agent(AgentEntry a, Resources offered) {
    return new AgentView(a.id.getValue(), a.hostname, a.port, a.state.name(), a.registeredTime, a.total, a.used(),
        offered);
  }

  static ObjectNode render(Snapshot s) {
    ObjectNode out = JSON.createObjectNode();
    out.put("version", s.info().getVersion());
    out.put("id", s.info().getId());
    out.put("pid", s.info().getPid());
    out.put("hostname", s.info().getHostname());
    out.put("start_time", seconds(s.startTime()));
    if (s.leader() != null) out.put("leader", "master@" + s.leader());
    out.put("elected", s.leading());
    out.put("activated_slaves", s.agents().stream().filter(a -> a.state().equals("REGISTERED")).count());
    out.put("unreachable_slaves", s.agents().stream().filter(a -> a.state().equals("UNREACHABLE")).count());
    ArrayNode agents = out.putArray("slaves");
    for (AgentView a : s.agents()) {
      ObjectNode agent = agents.addObject();
      agent.put("id", a.id());
      agent.put("pid", "slave(1)@" + a.hostname() + ":" + a.port());
      agent.put("hostname", a.hostname());
      agent.put("port", a.port());
      agent.put("registered_time", seconds(a.registered()));
      agent.put("active", a.state().equals("REGISTERED"));
      agent.put("state", a.state());
      agent.set("resources", resources(a.total().toList()));
      agent.set("used_resources", resources(a.used().toList()));
      agent.set("offered_resources", resources(a.offered().toList()));
      agent.set("unreserved_resources", resources(a.total().toList()));
    }
    ArrayNode frameworks = out.putArray("frameworks");
    for (FrameworkView f : s.frameworks()) {
      ObjectNode fw = frameworks.addObject();
      FrameworkInfo info = f.info();
      fw.put("id", info.getId().getValue());
      fw.put("name", info.getName());
      fw.put("user", info.getUser());
      fw.put("hostname", info.getHostname());
      fw.put("principal", info.hasPrincipal() ? info.getPrincipal() : null);
      fw.put("failover_timeout", info.getFailoverTimeout());
      fw.put("checkpoint", info.getCheckpoint());
      fw.put("role", info.getRole());
      ArrayNode roles = fw.putArray("roles");
      Framework.roles(info).forEach(roles::add);
      ArrayNode capabilities = fw.putArray("capabilities");
      info.getCapabilitiesList().forEach(c -> capabilities.add(c.getType().name()));
      fw.put("active", f.active());
      fw.put("connected", f.connected());
      fw.put("recovered", f.recovered());
      fw.put("registered_time", seconds(f.registered()));
      fw.put("reregistered_time", seconds(f.reregistered()));
      ArrayNode tasks = fw.putArray("tasks");
      f.tasks().forEach(t -> tasks.add(task(t)));
      ArrayNode unreachable = fw.putArray("unreachable_tasks");
      f.unreachableTasks().forEach(t -> unreachable.add(task(t)));
      ArrayNode offers = fw.putArray("offers");
      for (Offer o : f.offers()) {
        ObjectNode offer = offers.addObject();
        offer.put("id", o.getId().getValue());
        offer.put("framework_id", o.getFrameworkId().getValue());
        offer.put("slave_id", o.getAgentId().getValue());
        offer.set("resources", resources(o.getResourcesList()));
      }
    }
    ArrayNode completed = out.putArray("completed_frameworks");
    for (FrameworkInfo info : s.completedFrameworks()) {
      ObjectNode fw = completed.addObject();
      fw.put("id", info.getId().getValue());
      fw.put("name", info.getName());
      ArrayNode tasks = fw.putArray("completed_tasks");
      s.completedTasks().stream().filter(t -> t.getFrameworkId().equals(info.getId())).forEach(t -> tasks.add(task(t)));
    }
    return out;
  }

  private static ObjectNode task(Task t) {
    ObjectNode task = JSON.createObjectNode();
    task.put("id", t.getTaskId().getValue());
    task.put("name", t.getName());
    task.put("framework_id", t.getFrameworkId().getValue());
    task.put("executor_id", t.getExecutorId().getValue());
    task.put("slave_id", t.getAgentId().getValue());
    task.put("state", t.getState().name());
    task.set("resources", resources(t.getResourcesList()));
    if (t.getResourcesCount() > 0) task.put("role", t.getResources(0).getAllocationInfo().getRole());
    ArrayNode statuses = task.putArray("statuses");
    for (TaskStatus status : t.getStatusesList()) {
      ObjectNode s = statuses.addObject();
      s.put("state", status.getState().name());
      s.put("timestamp", status.getTimestamp());
      if (status.hasHealthy()) s.put("healthy", status.getHealthy());
    }
    return task;
  }

  /** {@code model(Resources)}: cpus, mem, disk and gpus always, other scalars and ranges by name. */
  private static ObjectNode resources(List<Resource> list) {
    Resources all = Resources.of(list);
    ObjectNode out = JSON.createObjectNode();
    for (String name : List.of("cpus", "mem", "disk", "gpus")) out.put(name, all.scalar(name));
    for (Resource r : all.toList()) {
      if (r.getType() == org.apache.mesos.v1.Protos.Value.Type.RANGES) {
        String text = Resources.format(r);
        out.put(r.getName(), text.substring(text.indexOf(':') + 1));
      } else if (r.getType() == org.apache.mesos.v1.Protos.Value.Type.SCALAR && !out.has(r.getName())) {
        out.put(r.getName(), all.scalar(r.getName()));
      }
    }
    return out;
  }

  private static double seconds(Instant time) {
    return time.toEpochMilli() / 1000.0;
  }
}
