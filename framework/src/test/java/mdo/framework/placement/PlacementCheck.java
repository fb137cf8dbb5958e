package mdo.framework.placement;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * An independent judge of a placement, for the property tests and the benchmark: it shares no code with the placer
 * but the input records. It checks that no agent is over-committed (scalars, port ranges, a port used twice), that
 * every task is placed or waiting exactly once, that each agent gets at most one launch naming all its offers, and
 * that every constraint holds, checked with a naive map-based reading of Marathon's {@code Constraints.scala}.
 */
final class PlacementCheck {
  private PlacementCheck() {}

  /**
   * What is wrong with {@code result}; empty when nothing is. With {@code inTaskOrder} every constraint is replayed in
   * the order the tasks were asked for (the placer's contract); without it (for a placer that does not tell its order)
   * only the order-free constraints are allowed: UNIQUE, GROUP_BY with a count, and those on the agent alone.
   */
  static List<String> problems(List<AgentOffers> offers, List<PendingTasks> pending, List<RunningTask> running,
      PlacementResult result, boolean inTaskOrder) {
    List<String> problems = new ArrayList<>();
    Map<String, Offered> offered = offered(offers);
    Map<String, Agent> agentOf = new HashMap<>();
    Map<String, TaskPlacement> placement = new HashMap<>();
    Set<String> launched = new HashSet<>();
    for (AgentLaunch l : result.launches()) {
      String id = l.agent().id();
      Offered o = offered.get(id);
      if (o == null) {
        problems.add("launch on agent " + id + " that offered nothing");
        continue;
      }
      if (!launched.add(id)) problems.add("two launches on agent " + id);
      if (!new HashSet<>(l.offerIds()).equals(new HashSet<>(o.offerIds))) problems.add(id + ": accept names " + l.offerIds() + ", offers were " + o.offerIds);
      double cpus = 0;
      double mem = 0;
      double disk = 0;
      Set<Integer> used = new HashSet<>();
      for (TaskPlacement t : l.tasks()) {
        if (placement.put(t.taskId(), t) != null) problems.add("task " + t.taskId() + " placed twice");
        agentOf.put(t.taskId(), l.agent());
        cpus += t.cpus();
        mem += t.mem();
        disk += t.disk();
        for (int p : t.ports()) {
          if (!used.add(p)) problems.add(id + ": port " + p + " given twice");
          if (o.ranges.stream().noneMatch(r -> r.begin() <= p && p <= r.end())) problems.add(id + ": port " + p + " was not offered");
        }
      }
      if (cpus > o.cpus + 1e-6 || mem > o.mem + 1e-6 || disk > o.disk + 1e-6) {
        problems.add(id + ": over-committed: cpus " + cpus + "/" + o.cpus + ", mem " + mem + "/" + o.mem + ", disk " + disk + "/" + o.disk);
      }
    }
    Set<String> unused = new HashSet<>();
    offered.forEach((id, o) -> {
      if (!launched.contains(id)) unused.addAll(o.offerIds);
    });
    if (!unused.equals(new HashSet<>(result.unusedOfferIds()))) problems.add("declined " + result.unusedOfferIds() + ", unused were " + unused);
    Set<String> waiting = new HashSet<>();
    for (Unplaced u : result.unplaced()) {
      waiting.addAll(u.taskIds());
      if (u.reason().isBlank()) problems.add(u.service() + ": waits without a reason");
    }
    for (PendingTasks p : pending) {
      List<String> placedValuesOrder = new ArrayList<>();
      for (String id : p.taskIds()) {
        TaskPlacement t = placement.get(id);
        if ((t == null) == !waiting.contains(id)) problems.add("task " + id + (t == null ? " is neither placed nor waiting" : " is placed and waiting"));
        if (t == null) continue;
        placedValuesOrder.add(id);
        if (t.ports().size() != p.ports().size()) problems.add(id + ": " + t.ports().size() + " ports, asked for " + p.ports().size());
        for (int i = 0; i < Math.min(t.ports().size(), p.ports().size()); i++) {
          if (p.ports().get(i) != 0 && !p.ports().get(i).equals(t.ports().get(i))) problems.add(id + ": got port " + t.ports().get(i) + " for " + p.ports().get(i));
        }
      }
      List<Agent> before = running.stream().filter(r -> r.service().equals(p.service())).map(RunningTask::agent).toList();
      List<Agent> placedAgents = placedValuesOrder.stream().map(agentOf::get).toList();
      for (Constraint c : p.constraints()) {
        if (inTaskOrder) problems.addAll(replay(p, c, before, placedValuesOrder, placedAgents));
        else problems.addAll(finalState(p, c, before, placedAgents));
      }
    }
    return problems;
  }

  /** Whether an agent could take one more instance given what runs (naive Marathon semantics). */
  static boolean allows(Constraint c, String value, List<String> placed, int instances) {
    String v = c.value() == null ? "" : c.value();
    if (value == null) return c.operator() == Constraint.Operator.UNLIKE;
    Map<String, Integer> groups = new LinkedHashMap<>();
    for (String p : placed) groups.merge(Objects.requireNonNullElse(p, "\0none"), 1, Integer::sum);
    int mine = groups.getOrDefault(value, 0);
    return switch (c.operator()) {
      case LIKE -> !v.isEmpty() && value.matches(v);
      case UNLIKE -> !v.isEmpty() && !value.matches(v);
      case UNIQUE -> mine == 0;
      case MAX_PER -> mine == 0 || mine < Integer.parseInt(v);
      case CLUSTER -> !v.isEmpty() ? value.equals(v) : placed.isEmpty() || value.equals(placed.get(0));
      case IS -> value.equals(v.matches("[0-9]+(\\.[0-9]+)?") ? AttributeValue.formatScalar(Double.parseDouble(v)) : v);
      case GROUP_BY -> {
        int n = v.isEmpty() ? 0 : Integer.parseInt(v);
        if (n <= 0) {
          int min = groups.values().stream().mapToInt(Integer::intValue).min().orElse(0);
          yield mine == 0 || mine == min;
        }
        int desired = placed.isEmpty() ? 1 : instances;
        int per = desired / n;
        int consumed = groups.values().stream().mapToInt(g -> Math.max(0, g - per)).sum();
        yield mine > 0 ? mine < per || (mine == per && desired % n - consumed > 0) : groups.size() < n;
      }
    };
  }

  private static List<String> replay(PendingTasks p, Constraint c, List<Agent> before, List<String> ids, List<Agent> agents) {
    List<String> problems = new ArrayList<>();
    List<String> placed = new ArrayList<>(before.stream().map(a -> a.fieldValue(c.field())).toList());
    for (int i = 0; i < agents.size(); i++) {
      String value = agents.get(i).fieldValue(c.field());
      if (!allows(c, value, placed, p.instances())) problems.add(ids.get(i) + " on " + agents.get(i).hostname() + " breaks " + c + " (placed before: " + placed + ")");
      placed.add(value);
    }
    return problems;
  }

  private static List<String> finalState(PendingTasks p, Constraint c, List<Agent> before, List<Agent> agents) {
    List<String> problems = new ArrayList<>();
    Map<String, Integer> counts = new TreeMap<>();
    for (Agent a : before) counts.merge(Objects.requireNonNullElse(a.fieldValue(c.field()), "\0none"), 1, Integer::sum);
    for (Agent a : agents) {
      String value = a.fieldValue(c.field());
      if (value == null && c.operator() != Constraint.Operator.UNLIKE) problems.add(p.service() + ": placed on " + a.hostname() + " without " + c.field());
      counts.merge(Objects.requireNonNullElse(value, "\0none"), 1, Integer::sum);
      if (!c.dependsOnPlacedInstances() && !allows(c, value, List.of(), p.instances())) problems.add(p.service() + " on " + a.hostname() + " breaks " + c);
    }
    if (c.operator() == Constraint.Operator.UNIQUE) {
      counts.forEach((value, n) -> {
        if (n > 1) problems.add(p.service() + ": " + n + " instances on " + c.field() + " " + value + " break " + c);
      });
    } else if (c.operator() == Constraint.Operator.GROUP_BY && c.number() > 0 && !counts.isEmpty()) {
      int n = c.number();
      int per = p.instances() / n;
      int remainder = p.instances() % n;
      int over = counts.values().stream().mapToInt(g -> Math.max(0, g - per)).sum();
      int cap = per + (remainder > 0 ? 1 : 0);
      if (counts.size() > n || over > remainder || counts.values().stream().anyMatch(g -> g > cap)) {
        problems.add(p.service() + ": " + counts + " breaks " + c + " for " + p.instances() + " instances");
      }
    } else if (c.dependsOnPlacedInstances()) {
      throw new IllegalArgumentException(c + " needs the placement order to be judged");
    }
    return problems;
  }

  private record Offered(List<String> offerIds, double cpus, double mem, double disk, List<PortRange> ranges) {}

  private static Map<String, Offered> offered(List<AgentOffers> offers) {
    Map<String, Offered> out = new HashMap<>();
    for (AgentOffers o : offers) {
      Offered prev = out.get(o.agent().id());
      if (prev == null) {
        out.put(o.agent().id(), new Offered(o.offerIds(), o.cpus(), o.mem(), o.disk(), o.ports()));
        continue;
      }
      List<String> ids = new ArrayList<>(prev.offerIds);
      ids.addAll(o.offerIds());
      List<PortRange> ranges = new ArrayList<>(prev.ranges);
      ranges.addAll(o.ports());
      out.put(o.agent().id(), new Offered(ids, prev.cpus + o.cpus(), prev.mem + o.mem(), prev.disk + o.disk(), ranges));
    }
    return out;
  }
}
