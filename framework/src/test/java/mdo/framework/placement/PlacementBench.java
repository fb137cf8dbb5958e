package mdo.framework.placement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code bin/bench-framework}: the same synthetic offers and tasks into mdo's {@link Placer} and into Netflix Fenzo, at
 * 1k tasks x 1k agents, 1k x 10k and 5k x 5k. A third of the tasks belong to hostname:UNIQUE services, a third to
 * rack:GROUP_BY services (10 racks), a third to unconstrained ones; a last 5k x 5k run has no constraints at all.
 * Prints the median time of several rounds (after JIT warm-up rounds for both, run in alternating order), tasks placed
 * per second, placement quality and the problems the independent {@link PlacementCheck} finds in each result (there
 * must be none), with mdo/Fenzo ratios.
 *
 * <p>Arguments: {@code [rounds] [warmup] [--mdo-only]} (default 5 and 2; {@code --mdo-only} skips Fenzo, for
 * profiling the placer).
 */
public final class PlacementBench {
  static final int RACKS = 10;

  record Workload(List<AgentOffers> offers, List<PendingTasks> pending) {}

  record Quality(int placed, int agentsUsed, int packedAgentsUsed, double groupBySpread, int problems) {}

  public static void main(String[] args) {
    List<String> options = new ArrayList<>(List.of(args));
    boolean withFenzo = !options.remove("--mdo-only");
    int rounds = options.size() > 0 ? Integer.parseInt(options.get(0)) : 5;
    int warmup = options.size() > 1 ? Integer.parseInt(options.get(1)) : 2;
    int[][] sizes = {{1000, 1000, 1}, {1000, 10_000, 1}, {5000, 5000, 1}, {5000, 5000, 0}};
    System.out.printf(Locale.ROOT, "placement: median of %d rounds after %d warm-up rounds each; java %s, %d cpus%n",
        rounds, warmup, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "%-16s %-6s %10s %10s %7s %8s %12s %14s %9s%n",
        "tasks x agents", "engine", "median ms", "tasks/s", "placed", "agents", "packed on", "GROUP_BY skew", "problems");
    for (int[] size : sizes) run(size[0], size[1], size[2] == 1, rounds, warmup, withFenzo);
    System.out.println("""
        *: no constraints at all (Fenzo's fastest case).
        agents: agents given any task; packed on: agents given tasks of unconstrained services (fewer is tighter packing);
        GROUP_BY skew: mean over GROUP_BY services of (most - fewest instances in a rack), 10 racks (0 or 1 is even);
        problems: broken constraints, over-committed agents, tasks lost (PlacementCheck); must be 0.""");
  }

  private static void run(int tasks, int agents, boolean constrained, int rounds, int warmup, boolean withFenzo) {
    Workload w = workload(tasks, agents, constrained, 42);
    Supplier<PlacementResult> mdo = () -> Placer.place(w.offers(), w.pending(), List.of());
    long[] mdoNanos = new long[rounds];
    long[] fenzoNanos = new long[rounds];
    PlacementResult mdoResult = null;
    PlacementResult fenzoResult = null;
    for (int i = -warmup; i < rounds; i++) {
      FenzoPlacement.Input input = withFenzo ? FenzoPlacement.input(w.offers(), w.pending()) : null;
      boolean mdoFirst = (i & 1) == 0;
      for (int turn = 0; turn < 2; turn++) {
        long start = System.nanoTime();
        if (mdoFirst == (turn == 0)) {
          mdoResult = mdo.get();
          if (i >= 0) mdoNanos[i] = System.nanoTime() - start;
        } else if (withFenzo) {
          fenzoResult = FenzoPlacement.place(input);
          if (i >= 0) fenzoNanos[i] = System.nanoTime() - start;
        }
      }
    }
    Quality mdoQuality = quality(w, mdoResult);
    int mdoOrderProblems = PlacementCheck.problems(w.offers(), w.pending(), List.of(), mdoResult, true).size();
    double mdoMs = median(mdoNanos) / 1e6;
    String label = String.format(Locale.ROOT, "%,d x %,d", tasks, agents) + (constrained ? "" : " *");
    print(label, "mdo", mdoMs, mdoQuality, mdoOrderProblems);
    if (!withFenzo) return;
    Quality fenzoQuality = quality(w, fenzoResult);
    double fenzoMs = median(fenzoNanos) / 1e6;
    print("", "fenzo", fenzoMs, fenzoQuality, 0);
    System.out.printf(Locale.ROOT, "%-16s %-6s %10s %9.1fx %7.2f %8.2f %12.2f %14s%n", "", "ratio", "",
        fenzoMs / mdoMs, ratio(mdoQuality.placed(), fenzoQuality.placed()), ratio(mdoQuality.agentsUsed(), fenzoQuality.agentsUsed()),
        ratio(mdoQuality.packedAgentsUsed(), fenzoQuality.packedAgentsUsed()),
        String.format(Locale.ROOT, "%.2f vs %.2f", mdoQuality.groupBySpread(), fenzoQuality.groupBySpread()));
  }

  private static void print(String label, String engine, double ms, Quality q, int extraProblems) {
    System.out.printf(Locale.ROOT, "%-16s %-6s %10.1f %,10.0f %7d %8d %12d %14.2f %9d%n",
        label, engine, ms, q.placed() / (ms / 1000), q.placed(), q.agentsUsed(), q.packedAgentsUsed(), q.groupBySpread(),
        q.problems() + extraProblems);
  }

  /**
   * Heterogeneous agents (8, 16 or 32 cpus, 2 GB per cpu, two port ranges) in 10 racks; services of three kinds, or
   * only unconstrained ones.
   */
  static Workload workload(int tasks, int agents, boolean constrained, long seed) {
    Random random = new Random(seed);
    List<AgentOffers> offers = new ArrayList<>();
    int[] cpuChoices = {8, 16, 32};
    for (int i = 0; i < agents; i++) {
      int cpus = cpuChoices[random.nextInt(cpuChoices.length)];
      String host = String.format(Locale.ROOT, "agent-%05d.dc1", i);
      Agent agent = new Agent(host + "-S0", host, Map.of("rack", AttributeValue.text("rack-" + (i % RACKS))));
      offers.add(new AgentOffers(agent, List.of("offer-" + i), cpus, cpus * 2048.0, 100_000,
          List.of(new PortRange(31000, 31499), new PortRange(31600, 32000))));
    }
    List<PendingTasks> pending = new ArrayList<>();
    double[] cpuSizes = {0.5, 1, 2};
    double[] memSizes = {512, 1024, 2048};
    int placedSoFar = 0;
    for (int s = 0; placedSoFar < tasks; s++) {
      int kind = constrained ? s % 3 : 2;
      int size = Math.min(tasks - placedSoFar, kind == 0 ? 50 : kind == 1 ? 25 : 20);
      List<Constraint> constraints = switch (kind) {
        case 0 -> List.of(Constraint.of("hostname", Constraint.Operator.UNIQUE));
        case 1 -> List.of(Constraint.of("rack", Constraint.Operator.GROUP_BY, String.valueOf(RACKS)));
        default -> List.of();
      };
      String name = (kind == 0 ? "unique-" : kind == 1 ? "rack-" : "packed-") + s;
      List<String> ids = new ArrayList<>();
      for (int t = 0; t < size; t++) ids.add(name + "." + t);
      pending.add(new PendingTasks(name, size, cpuSizes[random.nextInt(3)], memSizes[random.nextInt(3)], 0,
          List.of(0), constraints, ids));
      placedSoFar += size;
    }
    return new Workload(offers, pending);
  }

  static Quality quality(Workload w, PlacementResult r) {
    Set<String> packedServices = new HashSet<>();
    Map<String, int[]> rackCounts = new HashMap<>();
    for (PendingTasks p : w.pending()) {
      if (p.constraints().isEmpty()) packedServices.add(p.service());
      else if (p.constraints().get(0).operator() == Constraint.Operator.GROUP_BY) rackCounts.put(p.service(), new int[RACKS]);
    }
    int packedAgents = 0;
    for (AgentLaunch l : r.launches()) {
      if (l.tasks().stream().anyMatch(t -> packedServices.contains(t.service()))) packedAgents++;
      int rack = Integer.parseInt(l.agent().fieldValue("rack").substring("rack-".length()));
      for (TaskPlacement t : l.tasks()) {
        int[] counts = rackCounts.get(t.service());
        if (counts != null) counts[rack]++;
      }
    }
    double skew = rackCounts.values().stream()
        .mapToInt(c -> Arrays.stream(c).max().orElse(0) - Arrays.stream(c).min().orElse(0)).average().orElse(0);
    int problems = PlacementCheck.problems(w.offers(), w.pending(), List.of(), r, false).size();
    return new Quality(r.placedCount(), r.launches().size(), packedAgents, skew, problems);
  }

  private static double median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
  }

  private static double ratio(double mdo, double fenzo) {
    return fenzo == 0 ? Double.NaN : mdo / fenzo;
  }
}
