package mdo.framework.placement;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Places the tasks of one {@link PendingTasks} one at a time. A service with UNIQUE or GROUP_BY is spread: the agent
 * in the GROUP_BY value with the fewest instances, then with the fewest instances of the service; among those, as for
 * any other service, the agent with the least left that fits (best fit), so spreading a service does not spread the
 * cluster's load over more agents than it needs.
 */
final class ServiceRun {
  final PendingTasks tasks;
  final Demand demand;
  final List<BoundRule> staticRules;
  final List<BoundRule> dynamicRules;
  private final BoundRule groupBy;
  private final boolean spread;
  private final int[] candidates;
  private final OfferBook book;
  /** Instances of this service per offered agent; shared scratch, cleared by {@link #close()}. */
  private final int[] onAgent;
  private final List<Integer> touched = new ArrayList<>();
  private int last = -1;

  ServiceRun(PendingTasks tasks, List<BoundRule> staticRules, List<BoundRule> dynamicRules, int[] candidates,
      OfferBook book, int[] onAgent) {
    this.tasks = tasks;
    this.demand = Demand.of(tasks);
    this.staticRules = staticRules;
    this.dynamicRules = dynamicRules;
    this.candidates = candidates;
    this.book = book;
    this.onAgent = onAgent;
    this.spread = dynamicRules.stream().anyMatch(r -> r.constraint().spreads());
    this.groupBy = dynamicRules.stream()
        .filter(r -> r.constraint().operator() == Constraint.Operator.GROUP_BY).findFirst().orElse(null);
  }

  /** Counts an instance that already runs on offered agent {@code a} (the rules were told by the caller). */
  void countRunning(int a) {
    if (onAgent[a]++ == 0) touched.add(a);
  }

  /** The agent for the next task, or -1 when none fits. */
  int choose() {
    return spread ? chooseSpread() : choosePacked();
  }

  /** Takes the resources and ports of one task on agent {@code a}; the task's host ports in {@code tasks.ports()} order. */
  List<Integer> place(int a, BitSet wantedPorts) {
    book.consume(a, demand);
    PortPool pool = book.ports[a];
    for (int p : demand.hardPorts()) pool.take(p);
    int[] any = demand.dynamicPorts() == 0 ? new int[0] : pool.takeAny(demand.dynamicPorts(), wantedPorts);
    List<Integer> ports = new ArrayList<>(tasks.ports().size());
    int next = 0;
    for (int p : tasks.ports()) ports.add(p == 0 ? any[next++] : p);
    for (BoundRule r : dynamicRules) r.add(a);
    countRunning(a);
    last = a;
    return ports;
  }

  void close() {
    for (int a : touched) onAgent[a] = 0;
    touched.clear();
  }

  private boolean fits(int a) {
    if (!book.fits(a, demand)) return false;
    for (BoundRule r : dynamicRules) if (!r.allows(a)) return false;
    return true;
  }

  /**
   * Best fit. Once an agent is the best fit it stays the best until it is full: placing only makes it fuller, the
   * other agents do not change, and MAX_PER and CLUSTER only ever turn agents away.
   */
  private int choosePacked() {
    if (last >= 0 && fits(last)) return last;
    int best = -1;
    double bestScore = Double.MAX_VALUE;
    for (int a : candidates) {
      double s = book.score[a];
      if (s < bestScore && fits(a)) {
        best = a;
        bestScore = s;
      }
    }
    return best;
  }

  private int chooseSpread() {
    int best = -1;
    int bestGroup = Integer.MAX_VALUE;
    int bestOnAgent = Integer.MAX_VALUE;
    double bestScore = Double.MAX_VALUE;
    for (int a : candidates) {
      int group = groupBy == null ? 0 : groupBy.rule().count(groupBy.field().agentValue[a]);
      if (group > bestGroup) continue;
      int mine = onAgent[a];
      if (group == bestGroup && (mine > bestOnAgent || (mine == bestOnAgent && book.score[a] >= bestScore))) continue;
      if (!fits(a)) continue;
      best = a;
      bestGroup = group;
      bestOnAgent = mine;
      bestScore = book.score[a];
    }
    return best;
  }
}
