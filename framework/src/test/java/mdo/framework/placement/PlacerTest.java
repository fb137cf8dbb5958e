package mdo.framework.placement;

import static mdo.framework.placement.Constraint.Operator.CLUSTER;
import static mdo.framework.placement.Constraint.Operator.GROUP_BY;
import static mdo.framework.placement.Constraint.Operator.LIKE;
import static mdo.framework.placement.Constraint.Operator.MAX_PER;
import static mdo.framework.placement.Constraint.Operator.UNIQUE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import mdo.config.HealthSpec;
import mdo.config.PortSpec;
import mdo.config.ServiceSpec;
import org.junit.jupiter.api.Test;

class PlacerTest {

  static List<String> ids(String service, int n) {
    return IntStream.range(0, n).mapToObj(i -> service + "." + i).toList();
  }

  static PendingTasks tasks(String service, int n, double cpus, double mem, List<Integer> ports, Constraint... constraints) {
    return new PendingTasks(service, n, cpus, mem, 0, ports, List.of(constraints), ids(service, n));
  }

  static PlacementResult place(List<AgentOffers> offers, PendingTasks... pending) {
    return Placer.place(offers, List.of(pending), List.of());
  }

  /** hostname -> task ids placed there. */
  static Map<String, List<String>> byHost(PlacementResult r) {
    Map<String, List<String>> out = new TreeMap<>();
    for (AgentLaunch l : r.launches()) out.put(l.agent().hostname(), l.tasks().stream().map(TaskPlacement::taskId).toList());
    return out;
  }

  static TaskPlacement task(PlacementResult r, String taskId) {
    return r.launches().stream().flatMap(l -> l.tasks().stream()).filter(t -> t.taskId().equals(taskId)).findFirst().orElseThrow();
  }

  @Test
  void allOffersOfAnAgentMakeOneAcceptAndAgentsThatGetNothingAreDeclined() {
    List<AgentOffers> offers = List.of(
        Offers.host("h1").cpus(1).mem(1024).offer("o1").build(),
        Offers.host("h1").cpus(1).mem(1024).offer("o2").build(),
        Offers.host("h2").cpus(1).mem(512).offer("o3").build());
    // 1.5 cpus fit only on h1's two offers together
    PlacementResult r = place(offers, tasks("big", 1, 1.5, 1500, List.of()));
    assertThat(r.launches()).hasSize(1);
    assertThat(r.launches().get(0).offerIds()).containsExactly("o1", "o2");
    assertThat(r.unusedOfferIds()).containsExactly("o3");
    assertThat(r.unplaced()).isEmpty();
  }

  @Test
  void manyTasksOnOneAgentStillMakeOneAccept() {
    PlacementResult r = place(List.of(Offers.host("h1").cpus(4).mem(4096).build()), tasks("web", 4, 1, 1024, List.of()));
    assertThat(r.launches()).hasSize(1);
    assertThat(r.launches().get(0).tasks()).hasSize(4);
  }

  @Test
  void unconstrainedTasksArePackedOntoTheFullestAgentThatFits() {
    List<AgentOffers> offers = List.of(
        Offers.host("big").cpus(16).mem(16384).build(),
        Offers.host("small").cpus(2).mem(2048).build(),
        Offers.host("tiny").cpus(0.5).mem(256).build());
    PlacementResult r = place(offers, tasks("web", 3, 0.5, 512, List.of()));
    assertThat(byHost(r)).isEqualTo(Map.of("small", List.of("web.0", "web.1", "web.2")));
  }

  @Test
  void tenTenthsOfACpuFillOneCpuExactly() {
    PlacementResult r = place(List.of(Offers.host("h1").cpus(1).mem(1000).build()), tasks("w", 11, 0.1, 10, List.of()));
    assertThat(r.placedCount()).isEqualTo(10);
    assertThat(r.unplaced("w").orElseThrow().reason()).isEqualTo("insufficient cpus: needs 0.1, largest offer 0 (1 agent)");
  }

  @Test
  void resourcesAreConsumedAsTasksArePlacedAndTheRestWaitWithTheShortfall() {
    List<AgentOffers> offers = List.of(Offers.host("h1").cpus(8).mem(1024).build(), Offers.host("h2").cpus(8).mem(256).build());
    PlacementResult r = place(offers, tasks("db", 3, 1, 512, List.of()));
    assertThat(byHost(r)).isEqualTo(Map.of("h1", List.of("db.0", "db.1")));
    Unplaced u = r.unplaced("db").orElseThrow();
    assertThat(u.taskIds()).containsExactly("db.2");
    assertThat(u.reason()).isEqualTo("insufficient mem: needs 512, largest offer 256 (2 agents)");
  }

  @Test
  void dynamicPortsAreCarvedAcrossSeveralRangesLowestFirst() {
    List<AgentOffers> offers = List.of(Offers.host("h1").ports(31000, 31001).ports(31005, 31005).ports(31010, 31020).build());
    PlacementResult r = place(offers, tasks("svc", 2, 0.1, 16, List.of(0, 0, 0, 0)));
    assertThat(task(r, "svc.0").ports()).containsExactly(31000, 31001, 31005, 31010);
    assertThat(task(r, "svc.1").ports()).containsExactly(31011, 31012, 31013, 31014);
  }

  @Test
  void portsComeBackInTheOrderTheTaskNamesThem() {
    List<AgentOffers> offers = List.of(Offers.host("h1").ports(9000, 9100).build());
    PlacementResult r = place(offers, tasks("cassandra", 1, 0.1, 16, List.of(0, 9042, 0)));
    assertThat(task(r, "cassandra.0").ports()).containsExactly(9000, 9042, 9001);
  }

  @Test
  void aTaskWithAFixedPortWaitsWhenNoAgentOffersIt() {
    List<AgentOffers> offers = List.of(Offers.host("h1").ports(9042, 9042).build(), Offers.host("h2").ports(31000, 32000).build());
    PlacementResult r = place(offers, tasks("cassandra", 2, 0.1, 16, List.of(9042)));
    assertThat(byHost(r)).isEqualTo(Map.of("h1", List.of("cassandra.0")));
    assertThat(r.unplaced("cassandra").orElseThrow().reason()).isEqualTo("no agent with port 9042 free");
  }

  @Test
  void dynamicPortsKeepClearOfPortsAnotherPendingServiceNeedsFixed() {
    List<AgentOffers> offers = List.of(Offers.host("h1").ports(9042, 9043).build());
    PlacementResult r = place(offers, tasks("web", 1, 0.1, 16, List.of(0)), tasks("cassandra", 1, 0.1, 16, List.of(9042)));
    assertThat(task(r, "web.0").ports()).containsExactly(9043);
    assertThat(task(r, "cassandra.0").ports()).containsExactly(9042);
  }

  @Test
  void tooFewFreePortsIsAReason() {
    List<AgentOffers> offers = List.of(Offers.host("h1").ports(31000, 31002).build());
    PlacementResult r = place(offers, tasks("svc", 2, 0.1, 16, List.of(0, 0)));
    assertThat(r.placedCount()).isEqualTo(1);
    assertThat(r.unplaced("svc").orElseThrow().reason()).isEqualTo("not enough free ports: needs 2, largest offer 1 (1 agent)");
  }

  @Test
  void uniqueHostnameSpreadsAndExplainsWhyTheRestWait() {
    List<AgentOffers> offers = List.of(Offers.host("h1").build(), Offers.host("h2").build(), Offers.host("h3").build());
    PlacementResult r = place(offers, tasks("zk", 5, 1, 512, List.of(), Constraint.of("hostname", UNIQUE)));
    assertThat(byHost(r).values()).allSatisfy(t -> assertThat(t).hasSize(1));
    Unplaced u = r.unplaced("zk").orElseThrow();
    assertThat(u.taskIds()).containsExactly("zk.3", "zk.4");
    assertThat(u.reason()).isEqualTo("constraint hostname:UNIQUE: 3 agents already run one");
  }

  @Test
  void runningInstancesCountForUniqueEvenOnAgentsWithoutOffers() {
    Agent busy = Offers.host("h1").agent();
    List<AgentOffers> offers = List.of(Offers.host("h1").build(), Offers.host("h2").build());
    List<RunningTask> running = List.of(new RunningTask("zk", "zk.old", busy), new RunningTask("zk", "zk.gone", Offers.host("h9").agent()));
    PlacementResult r = Placer.place(offers, List.of(tasks("zk", 2, 1, 512, List.of(), Constraint.of("hostname", UNIQUE))), running);
    assertThat(byHost(r)).isEqualTo(Map.of("h2", List.of("zk.0")));
    assertThat(r.unplaced("zk").orElseThrow().reason()).isEqualTo("constraint hostname:UNIQUE: 2 agents already run one");
  }

  @Test
  void groupByRackSpreadsEvenlyAndWithinARackOverAgents() {
    List<AgentOffers> offers = new ArrayList<>();
    for (int i = 0; i < 6; i++) offers.add(Offers.host("h" + i).attr("rack", "r" + (i % 3)).build());
    PlacementResult r = place(offers, tasks("kafka", 6, 1, 512, List.of(), Constraint.of("rack", GROUP_BY, "3")));
    assertThat(r.placedCount()).isEqualTo(6);
    Map<String, Long> perRack = r.launches().stream().collect(Collectors.groupingBy(
        l -> l.agent().fieldValue("rack"), Collectors.summingLong(l -> l.tasks().size())));
    assertThat(perRack).isEqualTo(Map.of("r0", 2L, "r1", 2L, "r2", 2L));
    assertThat(r.launches()).as("one per agent").hasSize(6);
  }

  @Test
  void groupByWaitsForTheMissingRackRatherThanOverfillingTheOthers() {
    List<AgentOffers> offers = List.of(Offers.host("h1").attr("rack", "r1").build(), Offers.host("h2").attr("rack", "r2").build());
    PlacementResult r = place(offers, tasks("kafka", 6, 1, 512, List.of(), Constraint.of("rack", GROUP_BY, "3")));
    assertThat(r.placedCount()).isEqualTo(4);
    assertThat(r.unplaced("kafka").orElseThrow().reason())
        .isEqualTo("constraint rack:GROUP_BY:3: 2 agents are in a rack that has its share");
  }

  @Test
  void agentsWithoutTheAttributeAndAgentsThatDoNotMatchAreCountedApart() {
    List<AgentOffers> offers = List.of(
        Offers.host("h1").attr("rack", "r1").build(),
        Offers.host("h2").attr("rack", "r2").build(),
        Offers.host("h3").build());
    PlacementResult r = place(offers, tasks("svc", 1, 1, 512, List.of(), Constraint.of("rack", LIKE, "r9")));
    assertThat(r.unplaced("svc").orElseThrow().reason())
        .isEqualTo("constraint rack:LIKE:r9: 1 agent has no rack; constraint rack:LIKE:r9: 2 agents do not match");
  }

  @Test
  void clusterWithoutAValuePutsEveryInstanceWithTheFirst() {
    List<AgentOffers> offers = List.of(Offers.host("h1").cpus(2).build(), Offers.host("h2").cpus(16).build());
    PlacementResult r = place(offers, tasks("svc", 4, 1, 16, List.of(), Constraint.of("hostname", CLUSTER)));
    assertThat(byHost(r)).isEqualTo(Map.of("h1", List.of("svc.0", "svc.1")));
    assertThat(r.unplaced("svc").orElseThrow().rejections()).containsExactly(
        new Unplaced.Rejection("constraint hostname:CLUSTER: 1 agent is not h1", 1),
        new Unplaced.Rejection("insufficient cpus: needs 1, largest offer 0 (1 agent)", 1));
  }

  @Test
  void maxPerLimitsInstancesPerValue() {
    List<AgentOffers> offers = List.of(Offers.host("h1").cpus(16).build(), Offers.host("h2").cpus(16).build());
    PlacementResult r = place(offers, tasks("svc", 5, 1, 16, List.of(), Constraint.of("hostname", MAX_PER, "2")));
    assertThat(byHost(r)).isEqualTo(Map.of("h1", List.of("svc.0", "svc.1"), "h2", List.of("svc.2", "svc.3")));
    assertThat(r.unplaced("svc").orElseThrow().reason()).isEqualTo("constraint hostname:MAX_PER:2: 2 agents already run 2");
  }

  @Test
  void tasksPlacedEarlierInTheCycleCountForLaterServicesResources() {
    List<AgentOffers> offers = List.of(Offers.host("h1").cpus(2).mem(2048).build());
    PlacementResult r = place(offers, tasks("a", 1, 1.5, 512, List.of()), tasks("b", 1, 1, 512, List.of()));
    assertThat(byHost(r)).isEqualTo(Map.of("h1", List.of("a.0")));
    assertThat(r.unplaced("b").orElseThrow().reason()).isEqualTo("insufficient cpus: needs 1, largest offer 0.5 (1 agent)");
  }

  @Test
  void noOffersIsAReasonToo() {
    PlacementResult r = place(List.of(), tasks("svc", 2, 1, 16, List.of()));
    assertThat(r.unplaced("svc").orElseThrow().reason()).isEqualTo("no offers");
    assertThat(r.unplaced("svc").orElseThrow().taskIds()).containsExactly("svc.0", "svc.1");
  }

  @Test
  void theResultDoesNotDependOnOfferOrder() {
    List<AgentOffers> offers = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      offers.add(Offers.host("h" + i).cpus(1 + i % 5).mem(512 * (1 + i % 7)).ports(31000, 31000 + i).attr("rack", "r" + i % 4).build());
    }
    List<PendingTasks> pending = List.of(
        tasks("u", 12, 0.5, 256, List.of(0), Constraint.of("hostname", UNIQUE)),
        tasks("g", 10, 0.5, 256, List.of(0, 0), Constraint.of("rack", GROUP_BY, "4")),
        tasks("p", 30, 0.25, 128, List.of(0)));
    PlacementResult first = Placer.place(offers, pending, List.of());
    for (long seed = 0; seed < 5; seed++) {
      List<AgentOffers> shuffled = new ArrayList<>(offers);
      Collections.shuffle(shuffled, new Random(seed));
      assertThat(Placer.place(shuffled, pending, List.of())).isEqualTo(first);
    }
  }

  @Test
  void aServiceFromConfigGetsItsFixedPortsAndOneInstancePerHost() {
    ServiceSpec spec = new ServiceSpec("cassandra", "cassandra:4", null, null,
        List.of(new PortSpec("storage", 7000, true, "tcp"), new PortSpec("jmx", 7199, false, "tcp")),
        3, 1, 1024, Map.of(), Map.of(), List.of(List.of("rack", "LIKE", "r[12]")), List.of(), (HealthSpec) null,
        ServiceSpec.Network.BRIDGE, ServiceSpec.MarathonFormat.V1_5, null);
    PendingTasks p = PendingTasks.of(spec, ids("cassandra", 3));
    assertThat(p.ports()).containsExactly(7000, 0);
    assertThat(p.hardPorts()).containsExactly(7000);
    assertThat(p.dynamicPorts()).isEqualTo(1);
    assertThat(p.constraints()).containsExactly(Constraint.of("rack", LIKE, "r[12]"), Constraint.of("hostname", UNIQUE));
  }

  @Test
  void badInputIsRefusedNamingWhatIsWrong() {
    AgentOffers h1 = Offers.host("h1").build();
    assertThatThrownBy(() -> Placer.place(List.of(h1), List.of(tasks("a", 1, 1, 1, List.of()), tasks("a", 1, 1, 1, List.of())), List.of()))
        .hasMessage("service a is pending twice");
    assertThatThrownBy(() -> Placer.place(List.of(h1), List.of(tasks("a", 1, 1, 1, List.of())),
        List.of(new RunningTask("a", "a.0", h1.agent())))).hasMessage("task a.0 of a is already running or pending");
    assertThatThrownBy(() -> place(List.of(Offers.host("h1").ports(31000, 31010).ports(31005, 31020).build())))
        .hasMessage("agent h1-S0: offered port ranges overlap: [31000-31010] and [31005-31020]");
    assertThatThrownBy(() -> place(List.of(h1, Offers.host("other-name").id("h1-S0").build())))
        .hasMessageStartingWith("agent h1-S0: offers disagree about the agent");
    assertThatThrownBy(() -> tasks("a", 1, -1, 1, List.of())).hasMessage("a: cpus must be a finite number >= 0, got -1.0");
    assertThatThrownBy(() -> tasks("a", 1, 1, 1, List.of(80, 80))).hasMessage("a: port 80 is asked for twice");
    assertThatThrownBy(() -> new PortRange(0, 10)).hasMessageContaining("1-65535");
    assertThatThrownBy(() -> Offers.host("h1").cpus(Double.NaN).build()).hasMessageContaining("cpus offered by agent h1-S0");
  }
}
