package mdo.framework.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Random clusters, services and running instances: whatever the placer decides, the independent
 * {@link PlacementCheck} finds no broken constraint and no over-committed agent, a task waits only when no agent could
 * take it, and the offer order changes nothing.
 */
class PlacementPropertiesTest {

  record Scenario(List<AgentOffers> offers, List<PendingTasks> pending, List<RunningTask> running) {}

  static final String[] RACKS = {"r0", "r1", "r2", "r3"};

  static Scenario scenario(int agents, int services, long seed) {
    Random random = new Random(seed);
    List<AgentOffers> offers = new ArrayList<>();
    List<Agent> known = new ArrayList<>();
    for (int i = 0; i < agents + 2; i++) {
      Offers host = Offers.host("h" + i);
      if (random.nextInt(5) > 0) host.attr("rack", RACKS[random.nextInt(RACKS.length)]);
      if (random.nextBoolean()) host.attrs("level:" + random.nextInt(3) + ".0");
      known.add(host.agent());
      if (i >= agents) continue; // runs tasks, offers nothing this cycle
      int from = 31000;
      List<PortRange> ranges = new ArrayList<>();
      for (int r = random.nextInt(4); r > 0; r--) {
        int begin = from + random.nextInt(5);
        int end = begin + random.nextInt(6);
        ranges.add(new PortRange(begin, end));
        from = end + 2;
      }
      int split = random.nextInt(3) == 0 ? 2 : 1;
      for (int s = 0; s < split; s++) {
        Offers part = Offers.host("h" + i).attrs(""); // same agent, one of its offers
        known.get(i).attributes().forEach((k, v) -> part.attrs(k + ":" + v.render()));
        part.cpus(random.nextInt(9) * 0.5 / split).mem(random.nextInt(17) * 256.0 / split).disk(random.nextInt(3) * 500.0 / split)
            .offer("h" + i + "-o" + s);
        for (int r = s; r < ranges.size(); r += split) part.ports(ranges.get(r).begin(), ranges.get(r).end());
        offers.add(part.build());
      }
    }
    List<PendingTasks> pending = new ArrayList<>();
    List<RunningTask> running = new ArrayList<>();
    for (int s = 0; s < services; s++) {
      String name = "s" + s;
      int instances = 1 + random.nextInt(8);
      int waiting = 1 + random.nextInt(instances);
      List<Integer> ports = new ArrayList<>();
      for (int p = random.nextInt(3); p > 0; p--) {
        int port = random.nextInt(3) == 0 ? 31000 + random.nextInt(30) : 0;
        if (port == 0 || !ports.contains(port)) ports.add(port);
      }
      List<Constraint> constraints = new ArrayList<>();
      for (int c = random.nextInt(3); c > 0; c--) constraints.add(constraint(random));
      List<String> ids = new ArrayList<>();
      for (int t = 0; t < waiting; t++) ids.add(name + ".new" + t);
      pending.add(new PendingTasks(name, instances, 0.25 + random.nextInt(4) * 0.25, 128 + random.nextInt(4) * 256, random.nextInt(2) * 100,
          ports, constraints, ids));
      for (int t = random.nextInt(instances - waiting + 1); t > 0; t--) {
        running.add(new RunningTask(name, name + ".old" + t, known.get(random.nextInt(known.size()))));
      }
    }
    return new Scenario(offers, pending, running);
  }

  static Constraint constraint(Random random) {
    return switch (random.nextInt(13)) {
      case 0 -> Constraint.of("hostname", Constraint.Operator.UNIQUE);
      case 1 -> Constraint.of("rack", Constraint.Operator.UNIQUE);
      case 2 -> Constraint.of("rack", Constraint.Operator.GROUP_BY);
      case 3 -> Constraint.of("rack", Constraint.Operator.GROUP_BY, String.valueOf(1 + random.nextInt(4)));
      case 4 -> Constraint.of("hostname", Constraint.Operator.GROUP_BY, String.valueOf(1 + random.nextInt(5)));
      case 5 -> Constraint.of("rack", Constraint.Operator.MAX_PER, String.valueOf(1 + random.nextInt(3)));
      case 6 -> Constraint.of("@hostname", Constraint.Operator.MAX_PER, "2");
      case 7 -> Constraint.of("rack", Constraint.Operator.CLUSTER);
      case 8 -> Constraint.of("hostname", Constraint.Operator.CLUSTER);
      case 9 -> Constraint.of("rack", Constraint.Operator.CLUSTER, RACKS[random.nextInt(RACKS.length)]);
      case 10 -> Constraint.of("rack", Constraint.Operator.LIKE, "r[01]");
      case 11 -> Constraint.of("rack", Constraint.Operator.UNLIKE, "r2");
      default -> Constraint.of("level", Constraint.Operator.IS, random.nextBoolean() ? "1" : "2.0");
    };
  }

  @Property(tries = 400)
  void noPlacementBreaksAConstraintOrOverCommitsAnAgent(
      @ForAll @IntRange(min = 0, max = 12) int agents, @ForAll @IntRange(min = 1, max = 6) int services, @ForAll long seed) {
    Scenario s = scenario(agents, services, seed);
    PlacementResult result = Placer.place(s.offers(), s.pending(), s.running());
    assertThat(PlacementCheck.problems(s.offers(), s.pending(), s.running(), result, true)).isEmpty();
  }

  /** Agents only fill up during a cycle, so an agent that could take a waiting task at the end could have earlier. */
  @Property(tries = 400)
  void aTaskWaitsOnlyWhenNoAgentCouldTakeIt(
      @ForAll @IntRange(min = 0, max = 12) int agents, @ForAll @IntRange(min = 1, max = 6) int services, @ForAll long seed) {
    Scenario s = scenario(agents, services, seed);
    PlacementResult result = Placer.place(s.offers(), s.pending(), s.running());
    for (Unplaced u : result.unplaced()) {
      PendingTasks p = s.pending().stream().filter(t -> t.service().equals(u.service())).findFirst().orElseThrow();
      List<Agent> instances = new ArrayList<>(s.running().stream().filter(r -> r.service().equals(p.service())).map(RunningTask::agent).toList());
      for (AgentLaunch l : result.launches()) for (TaskPlacement t : l.tasks()) if (t.service().equals(p.service())) instances.add(l.agent());
      for (AgentOffers o : combined(s.offers())) {
        Agent agent = o.agent();
        boolean constraintsAllow = p.constraints().stream().allMatch(c -> PlacementCheck.allows(c, agent.fieldValue(c.field()),
            instances.stream().map(a -> a.fieldValue(c.field())).toList(), p.instances()));
        assertThat(constraintsAllow && fitsAfterCycle(o, p, result))
            .as("%s waits (%s) but %s could take it", p.service(), u.reason(), agent.hostname()).isFalse();
      }
    }
  }

  @Property(tries = 200)
  void theOfferOrderChangesNothing(
      @ForAll @IntRange(min = 0, max = 12) int agents, @ForAll @IntRange(min = 1, max = 6) int services, @ForAll long seed) {
    Scenario s = scenario(agents, services, seed);
    List<AgentOffers> shuffled = new ArrayList<>(s.offers());
    Collections.shuffle(shuffled, new Random(seed));
    assertThat(Placer.place(shuffled, s.pending(), s.running())).isEqualTo(Placer.place(s.offers(), s.pending(), s.running()));
  }

  /** One record per agent, its offers summed. */
  static List<AgentOffers> combined(List<AgentOffers> offers) {
    Map<String, AgentOffers> out = new LinkedHashMap<>();
    for (AgentOffers o : offers) {
      out.merge(o.agent().id(), o, (a, b) -> {
        List<String> ids = new ArrayList<>(a.offerIds());
        ids.addAll(b.offerIds());
        List<PortRange> ports = new ArrayList<>(a.ports());
        ports.addAll(b.ports());
        return new AgentOffers(a.agent(), ids, a.cpus() + b.cpus(), a.mem() + b.mem(), a.disk() + b.disk(), ports);
      });
    }
    return new ArrayList<>(out.values());
  }

  /** Whether what the agent has left after the cycle holds one more task of {@code p}. */
  static boolean fitsAfterCycle(AgentOffers o, PendingTasks p, PlacementResult result) {
    double cpus = o.cpus();
    double mem = o.mem();
    double disk = o.disk();
    List<Integer> used = new ArrayList<>();
    for (AgentLaunch l : result.launches()) {
      if (!l.agent().id().equals(o.agent().id())) continue;
      for (TaskPlacement t : l.tasks()) {
        cpus -= t.cpus();
        mem -= t.mem();
        disk -= t.disk();
        used.addAll(t.ports());
      }
    }
    List<Integer> free = new ArrayList<>();
    for (PortRange r : o.ports()) for (int port = r.begin(); port <= r.end(); port++) if (!used.contains(port)) free.add(port);
    boolean hard = p.hardPorts().stream().allMatch(free::contains);
    return cpus >= p.cpus() - 1e-9 && mem >= p.mem() - 1e-9 && disk >= p.disk() - 1e-9 && hard && free.size() >= p.ports().size();
  }
}
