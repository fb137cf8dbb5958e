package mdo.framework.placement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Places pending tasks on one offer cycle. Pure and deterministic: the same offers, tasks and running instances give
 * the same result, whatever order the offers came in.
 *
 * <ul>
 *   <li>All offers of an agent are combined and the result groups tasks by agent: at most one ACCEPT per agent.
 *   <li>Services are placed in the order given, their tasks one at a time; cpus, mem, disk and ports are taken from
 *       the agent as each task is placed, so nothing is over-committed.
 *   <li>A fixed port is taken from the offered ranges or the task waits; other ports are the lowest free ones, keeping
 *       clear of ports other pending tasks need fixed.
 *   <li>Constraints are Marathon's ({@link Constraint}), counted over the running instances plus those placed
 *       earlier in the cycle.
 *   <li>UNIQUE and GROUP_BY services are spread, others packed (see {@link ServiceRun}).
 *   <li>Every task left waiting is in {@link PlacementResult#unplaced()} with a reason.
 * </ul>
 *
 * Cost: O(agents) per placed task in the worst case, flat arrays throughout; a packed service stays on its agent
 * until the agent is full.
 */
public final class Placer {
  private final OfferBook book;
  private final Map<String, FieldIndex> fields = new HashMap<>();
  private final Map<List<Constraint>, int[]> candidatesByConstraints = new HashMap<>();
  private final BitSet wantedPorts = new BitSet(65536);
  private final int[] onAgent;
  private final List<List<TaskPlacement>> placedOn = new ArrayList<>();

  private Placer(List<AgentOffers> offers) {
    book = new OfferBook(offers);
    onAgent = new int[book.size()];
    for (int a = 0; a < book.size(); a++) placedOn.add(new ArrayList<>());
  }

  public static PlacementResult place(List<AgentOffers> offers, List<PendingTasks> pending, List<RunningTask> running) {
    requireDistinctIds(pending, running);
    return new Placer(offers).run(pending, running);
  }

  private PlacementResult run(List<PendingTasks> pending, List<RunningTask> running) {
    for (PendingTasks p : pending) for (int port : p.hardPorts()) wantedPorts.set(port);
    Map<String, List<RunningTask>> runningByService = new HashMap<>();
    for (RunningTask t : running) runningByService.computeIfAbsent(t.service(), k -> new ArrayList<>()).add(t);
    List<Unplaced> unplaced = new ArrayList<>();
    for (PendingTasks p : pending) {
      if (p.taskIds().isEmpty()) continue;
      ServiceRun run = start(p, runningByService.getOrDefault(p.service(), List.of()));
      List<String> ids = p.taskIds();
      for (int i = 0; i < ids.size(); i++) {
        int a = run.choose();
        if (a < 0) {
          unplaced.add(Diagnosis.explain(run, book, ids.subList(i, ids.size())));
          break;
        }
        List<Integer> ports = run.place(a, wantedPorts);
        placedOn.get(a).add(new TaskPlacement(ids.get(i), p.service(), p.cpus(), p.mem(), p.disk(), ports));
      }
      run.close();
    }
    List<AgentLaunch> launches = new ArrayList<>();
    List<String> unused = new ArrayList<>();
    for (int a = 0; a < book.size(); a++) {
      if (placedOn.get(a).isEmpty()) unused.addAll(book.offerIds.get(a));
      else launches.add(new AgentLaunch(book.agents[a], book.offerIds.get(a), placedOn.get(a)));
    }
    return new PlacementResult(launches, unused, unplaced);
  }

  private ServiceRun start(PendingTasks p, List<RunningTask> running) {
    List<BoundRule> staticRules = new ArrayList<>();
    List<BoundRule> dynamicRules = new ArrayList<>();
    List<Constraint> staticConstraints = new ArrayList<>();
    for (Constraint c : p.constraints()) {
      BoundRule rule = new BoundRule(ConstraintRule.create(c, p.instances()), field(c.field()));
      if (c.dependsOnPlacedInstances()) {
        dynamicRules.add(rule);
        for (RunningTask t : running) rule.rule().add(rule.field().idOf(t.agent()));
      } else {
        staticRules.add(rule);
        staticConstraints.add(c);
      }
    }
    int[] candidates = candidatesByConstraints.computeIfAbsent(staticConstraints, k -> candidates(staticRules));
    ServiceRun run = new ServiceRun(p, staticRules, dynamicRules, candidates, book, onAgent);
    for (RunningTask t : running) {
      int a = book.indexOf(t.agent().id());
      if (a >= 0) run.countRunning(a);
    }
    return run;
  }

  /** The agents that satisfy the constraints that depend on the agent alone (LIKE, UNLIKE, IS, CLUSTER:value). */
  private int[] candidates(List<BoundRule> staticRules) {
    int[] out = new int[book.size()];
    int n = 0;
    agents:
    for (int a = 0; a < book.size(); a++) {
      for (BoundRule r : staticRules) if (!r.allows(a)) continue agents;
      out[n++] = a;
    }
    return Arrays.copyOf(out, n);
  }

  private FieldIndex field(String name) {
    return fields.computeIfAbsent(FieldIndex.canonical(name), f -> new FieldIndex(f, book));
  }

  private static void requireDistinctIds(List<PendingTasks> pending, List<RunningTask> running) {
    Set<String> services = new HashSet<>();
    Set<String> taskIds = new HashSet<>();
    for (RunningTask t : running) {
      if (!taskIds.add(t.taskId())) throw new IllegalArgumentException("task " + t.taskId() + " runs twice");
    }
    for (PendingTasks p : pending) {
      if (!services.add(p.service())) throw new IllegalArgumentException("service " + p.service() + " is pending twice");
      for (String id : p.taskIds()) {
        if (!taskIds.add(id)) throw new IllegalArgumentException("task " + id + " of " + p.service() + " is already running or pending");
      }
    }
  }
}
