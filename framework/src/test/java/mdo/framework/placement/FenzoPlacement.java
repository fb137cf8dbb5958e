package mdo.framework.placement;

import com.netflix.fenzo.ConstraintEvaluator;
import com.netflix.fenzo.SchedulingResult;
import com.netflix.fenzo.TaskAssignmentResult;
import com.netflix.fenzo.TaskRequest;
import com.netflix.fenzo.TaskScheduler;
import com.netflix.fenzo.VMAssignmentResult;
import com.netflix.fenzo.VMTaskFitnessCalculator;
import com.netflix.fenzo.VirtualMachineLease;
import com.netflix.fenzo.plugins.BalancedHostAttrConstraint;
import com.netflix.fenzo.plugins.BinPackingFitnessCalculators;
import com.netflix.fenzo.plugins.UniqueHostAttrConstraint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.mesos.Protos;

/**
 * The benchmark's baseline: the same offers and tasks placed by Netflix Fenzo, its result in mdo's records so one
 * checker judges both. hostname UNIQUE is Fenzo's {@link UniqueHostAttrConstraint}, GROUP_BY with a count its
 * {@link BalancedHostAttrConstraint} (it keeps values within one instance of each other), packing its
 * {@code cpuMemBinPacker}. Fenzo has no fixed ports and none of the other operators, so the workload has neither.
 */
final class FenzoPlacement {
  private FenzoPlacement() {}

  /** Fenzo's inputs, built before the clock starts: Fenzo's task requests are mutable, so one set per run. */
  record Input(List<VirtualMachineLease> leases, List<TaskRequest> tasks, Map<String, Agent> agentsByHostname,
      Map<String, PendingTasks> serviceOfTask) {}

  static Input input(List<AgentOffers> offers, List<PendingTasks> pending) {
    List<VirtualMachineLease> leases = new ArrayList<>();
    Map<String, Agent> agents = new HashMap<>();
    for (AgentOffers o : offers) {
      leases.add(new Lease(o));
      agents.put(o.agent().hostname(), o.agent());
    }
    Map<String, PendingTasks> serviceOf = new HashMap<>();
    List<TaskRequest> tasks = new ArrayList<>();
    for (PendingTasks p : pending) {
      Set<String> coTasks = Set.copyOf(p.taskIds());
      List<ConstraintEvaluator> hard = new ArrayList<>();
      for (Constraint c : p.constraints()) hard.add(evaluator(c, coTasks));
      for (String id : p.taskIds()) {
        serviceOf.put(id, p);
        tasks.add(new Task(id, p, hard));
      }
    }
    return new Input(leases, tasks, agents, serviceOf);
  }

  static PlacementResult place(Input input) {
    TaskScheduler scheduler = new TaskScheduler.Builder()
        .withLeaseRejectAction(lease -> { })
        .withLeaseOfferExpirySecs(Long.MAX_VALUE / 1000)
        .withFitnessCalculator(BinPackingFitnessCalculators.cpuMemBinPacker)
        .disableShortfallEvaluation()
        .build();
    try {
      SchedulingResult result = scheduler.scheduleOnce(input.tasks(), input.leases());
      if (!result.getExceptions().isEmpty()) throw new IllegalStateException("Fenzo failed", result.getExceptions().get(0));
      return toResult(input, result);
    } finally {
      scheduler.shutdown();
    }
  }

  private static PlacementResult toResult(Input input, SchedulingResult result) {
    List<AgentLaunch> launches = new ArrayList<>();
    for (VMAssignmentResult vm : result.getResultMap().values()) {
      Agent agent = input.agentsByHostname().get(vm.getHostname());
      List<String> offerIds = vm.getLeasesUsed().stream().map(VirtualMachineLease::getId).toList();
      List<TaskPlacement> tasks = new ArrayList<>();
      for (TaskAssignmentResult t : vm.getTasksAssigned()) {
        PendingTasks p = input.serviceOfTask().get(t.getTaskId());
        tasks.add(new TaskPlacement(t.getTaskId(), p.service(), p.cpus(), p.mem(), p.disk(), t.getAssignedPorts()));
      }
      launches.add(new AgentLaunch(agent, offerIds, tasks));
    }
    List<String> used = launches.stream().flatMap(l -> l.offerIds().stream()).toList();
    List<String> unused = input.leases().stream().map(VirtualMachineLease::getId).filter(id -> !used.contains(id)).toList();
    Map<String, List<String>> waiting = new LinkedHashMap<>();
    for (TaskRequest t : result.getFailures().keySet()) waiting.computeIfAbsent(t.taskGroupName(), k -> new ArrayList<>()).add(t.getId());
    List<Unplaced> unplaced = new ArrayList<>();
    waiting.forEach((service, ids) -> unplaced.add(new Unplaced(service, ids, "Fenzo found no host", List.of())));
    return new PlacementResult(launches, unused, unplaced);
  }

  private static ConstraintEvaluator evaluator(Constraint c, Set<String> coTasks) {
    boolean hostname = c.field().equals("hostname") || c.field().equals("@hostname");
    if (c.operator() == Constraint.Operator.UNIQUE && hostname) return new UniqueHostAttrConstraint(id -> coTasks);
    if (c.operator() == Constraint.Operator.GROUP_BY && c.number() > 0 && !hostname) {
      return new BalancedHostAttrConstraint(id -> coTasks, c.field(), c.number());
    }
    throw new IllegalArgumentException("Fenzo has no counterpart for " + c);
  }

  private record Lease(AgentOffers offer, List<Range> ranges, Map<String, Protos.Attribute> attributes)
      implements VirtualMachineLease {

    Lease(AgentOffers offer) {
      this(offer, offer.ports().stream().map(r -> new Range(r.begin(), r.end())).toList(), attributes(offer.agent()));
    }

    private static Map<String, Protos.Attribute> attributes(Agent agent) {
      Map<String, Protos.Attribute> out = new HashMap<>();
      agent.attributes().forEach((name, value) -> out.put(name, Protos.Attribute.newBuilder().setName(name)
          .setType(Protos.Value.Type.TEXT).setText(Protos.Value.Text.newBuilder().setValue(value.render())).build()));
      return out;
    }

    @Override
    public String getId() {
      return offer.offerIds().get(0);
    }

    @Override
    public long getOfferedTime() {
      return 0;
    }

    @Override
    public String hostname() {
      return offer.agent().hostname();
    }

    @Override
    public String getVMID() {
      return offer.agent().id();
    }

    @Override
    public double cpuCores() {
      return offer.cpus();
    }

    @Override
    public double memoryMB() {
      return offer.mem();
    }

    @Override
    public double networkMbps() {
      return 0;
    }

    @Override
    public double diskMB() {
      return offer.disk();
    }

    @Override
    public List<Range> portRanges() {
      return ranges;
    }

    @Override
    public Protos.Offer getOffer() {
      return null;
    }

    @Override
    public Map<String, Protos.Attribute> getAttributeMap() {
      return attributes;
    }

    @Override
    public Double getScalarValue(String name) {
      return null;
    }

    @Override
    public Map<String, Double> getScalarValues() {
      return Map.of();
    }
  }

  private static final class Task implements TaskRequest {
    private final String id;
    private final PendingTasks tasks;
    private final List<ConstraintEvaluator> hard;
    private AssignedResources assigned;

    Task(String id, PendingTasks tasks, List<ConstraintEvaluator> hard) {
      this.id = id;
      this.tasks = tasks;
      this.hard = hard;
    }

    @Override
    public String getId() {
      return id;
    }

    @Override
    public String taskGroupName() {
      return tasks.service();
    }

    @Override
    public double getCPUs() {
      return tasks.cpus();
    }

    @Override
    public double getMemory() {
      return tasks.mem();
    }

    @Override
    public double getNetworkMbps() {
      return 0;
    }

    @Override
    public double getDisk() {
      return tasks.disk();
    }

    @Override
    public int getPorts() {
      return tasks.ports().size();
    }

    @Override
    public Map<String, Double> getScalarRequests() {
      return null;
    }

    @Override
    public Map<String, NamedResourceSetRequest> getCustomNamedResources() {
      return Map.of();
    }

    @Override
    public List<? extends ConstraintEvaluator> getHardConstraints() {
      return hard;
    }

    @Override
    public List<? extends VMTaskFitnessCalculator> getSoftConstraints() {
      return null;
    }

    @Override
    public void setAssignedResources(AssignedResources assignedResources) {
      this.assigned = assignedResources;
    }

    @Override
    public AssignedResources getAssignedResources() {
      return assigned;
    }
  }
}
