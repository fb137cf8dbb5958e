package mdo.devcluster.mesos.master;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledFuture;
import mdo.devcluster.mesos.actor.Actor;
import mdo.devcluster.mesos.link.AgentRegistration;
import mdo.devcluster.mesos.link.MasterChannel;
import mdo.devcluster.mesos.link.StatusUpdate;
import mdo.devcluster.mesos.resources.ResourceValidation;
import mdo.devcluster.mesos.resources.Resources;
import mdo.devcluster.mesos.resources.Roles;
import mdo.devcluster.mesos.wire.Uuids;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.Address;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.HealthCheck;
import org.apache.mesos.v1.Protos.MasterInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.OperationState;
import org.apache.mesos.v1.Protos.OperationStatus;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.Task;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.Protos.URL;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Mesos master for one machine: frameworks, offers, tasks and agents, with the semantics of {@code
 * src/master/master.cpp} 1.11.0 for what a scheduler can observe. All state lives on one actor thread; HTTP threads
 * and agents hand work to it ({@link #handle}, {@link MasterChannel}).
 */
public final class Master implements MasterChannel, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Master.class);
  /** Mesos' {@code Filters.refuse_seconds} default, applied even when a call names no filter. */
  private static final double DEFAULT_REFUSE_SECONDS = 5.0;
  private static final double MAX_REFUSE_SECONDS = 31536000;
  private static final int MAX_COMPLETED_TASKS = 1000;

  /**
   * @param heartbeat HEARTBEAT period (Mesos: 15 s, fixed)
   * @param allocationInterval how often free resources are offered ({@code --allocation_interval}, 1 s)
   * @param offerTimeout {@code --offer_timeout}: rescind offers held this long; null = never (the default)
   * @param maxCompletedFrameworks removed framework ids remembered ({@code --max_completed_frameworks}, 50)
   */
  public record Settings(Duration heartbeat, Duration allocationInterval, Duration offerTimeout,
                         int maxCompletedFrameworks) {}

  /** An answer to a non-SUBSCRIBE call. */
  public record Reply(int status, String body) {
    static Reply accepted() {
      return new Reply(202, "");
    }
  }

  private final String id = UUID.randomUUID().toString();
  private final Settings settings;
  private final Leadership leadership;
  private final Actor actor = new Actor("mesos-master", log);
  private final Instant startTime = Instant.now();
  private MasterInfo info;
  private final Map<String, Framework> frameworks = new LinkedHashMap<>();
  private final LinkedHashMap<String, FrameworkInfo> completedFrameworks = new LinkedHashMap<>();
  private final List<Task> completedTasks = new ArrayList<>();
  private final Map<String, AgentEntry> agents = new LinkedHashMap<>();
  private final Map<String, OutstandingOffer> offers = new LinkedHashMap<>();
  private final List<OfferFilter> filters = new ArrayList<>();
  private long frameworkCount;
  private long offerCount;
  private long agentCount;
  private ScheduledFuture<?> allocator;
  private boolean allocationQueued;

  /** Declined or unused resources a framework does not want again from that agent until {@code expires}. */
  private record OfferFilter(String frameworkId, String agentId, String role, Resources resources, Instant expires) {}

  public Master(Settings settings, Leadership leadership) {
    this.settings = settings;
    this.leadership = leadership;
  }

  /** Starts serving once the HTTP server knows its address. */
  public void start(String hostname, int port) {
    call(() -> {
      info = MasterInfo.newBuilder().setId(id).setIp(0x0100007f).setPort(port).setHostname(hostname)
          .setPid("master@" + hostname + ":" + port).setVersion("1.11.0")
          .setAddress(Address.newBuilder().setHostname(hostname).setIp(hostname).setPort(port)).build();
      allocator = actor.schedulePeriodic(settings.allocationInterval(), this::allocate);
      return null;
    });
  }

  public String id() {
    return id;
  }

  public MasterInfo info() {
    return call(() -> info);
  }

  boolean leading() {
    return leadership.leads(this);
  }

  Leadership leadership() {
    return leadership;
  }

  /** Runs {@code work} on the actor and waits for it (HTTP threads, tests, the dev cluster's hooks). */
  public <T> T call(Callable<T> work) {
    return actor.call(work);
  }

  private void execute(Runnable work) {
    actor.execute(work);
  }

  private ScheduledFuture<?> schedule(Duration delay, Runnable work) {
    return actor.schedule(delay, work);
  }

  // ---------------------------------------------------------------------------------------------- subscriptions

  /** A SUBSCRIBE whose 200 and stream id already went out; the events follow on {@code stream}. */
  void subscribe(Subscription stream, Call.Subscribe subscribe, String principal) {
    execute(() -> doSubscribe(stream, subscribe, principal));
  }

  private void doSubscribe(Subscription stream, Call.Subscribe subscribe, String principal) {
    FrameworkInfo requested = subscribe.getFrameworkInfo();
    if (principal != null && !requested.hasPrincipal()) requested = requested.toBuilder().setPrincipal(principal).build();
    String problem = FrameworkValidation.problem(requested, subscribe.getSuppressedRolesList(),
        completedFrameworks.keySet());
    OfferConstraintsFilter constraints = OfferConstraintsFilter.NONE;
    if (problem == null) {
      try {
        constraints = OfferConstraintsFilter.create(subscribe.getOfferConstraints());
      } catch (OfferConstraintsFilter.Invalid e) {
        problem = e.getMessage();
      }
    }
    if (problem != null) {
      refuse(stream, requested, problem);
      return;
    }
    Framework framework;
    if (!requested.hasId() || requested.getId().getValue().isEmpty()) {
      FrameworkID newId = FrameworkID.newBuilder().setValue(id + "-" + String.format("%04d", frameworkCount++)).build();
      framework = new Framework(requested.toBuilder().setId(newId).build());
      frameworks.put(newId.getValue(), framework);
      log.info("master: framework {} subscribed (checkpoint {}, capabilities {})", framework,
          requested.getCheckpoint(), requested.getCapabilitiesList().stream().map(c -> c.getType().name()).toList());
    } else {
      framework = frameworks.get(requested.getId().getValue());
      if (framework == null) framework = recoverFramework(requested);
      FrameworkInfo updated = FrameworkValidation.preserveImmutable(framework.info, requested);
      problem = FrameworkValidation.updateProblem(framework.info, updated);
      if (problem != null) {
        refuse(stream, requested, problem);
        return;
      }
      updateFramework(framework, updated);
      framework.reregisteredTime = Instant.now();
      if (framework.connected()) {
        framework.send(Events.error("Framework failed over"));
        framework.stream.close();
        log.info("master: framework {} failed over to a new subscription", framework);
      } else {
        log.info("master: framework {} re-subscribed", framework);
      }
      for (OutstandingOffer offer : List.copyOf(framework.offers.values())) removeOffer(offer, null, false);
    }
    framework.suppressedRoles.clear();
    framework.suppressedRoles.addAll(subscribe.getSuppressedRolesList());
    framework.constraints = constraints;
    if (framework.failoverTimer != null) framework.failoverTimer.cancel(false);
    framework.failoverTimer = null;
    framework.recovered = false;
    framework.active = true;
    framework.stream = stream;
    framework.send(Events.subscribed(framework.id(), settings.heartbeat().toMillis() / 1000.0, info));
    if (framework.heartbeat != null) framework.heartbeat.cancel(false);
    Framework subscribed = framework;
    // The heartbeater starts right after SUBSCRIBED with no delay (src/master/framework.cpp, heartbeater.hpp).
    framework.send(Events.heartbeat());
    framework.heartbeat = actor.schedulePeriodic(settings.heartbeat(), () -> subscribed.send(Events.heartbeat()));
    for (AgentEntry agent : agents.values()) {
      if (agent.state == AgentEntry.State.REGISTERED) agent.channel.frameworkReconnected(framework.id());
    }
    allocateSoon();
  }

  private void refuse(Subscription stream, FrameworkInfo info, String problem) {
    log.info("master: refusing subscription of framework '{}': {}", info.getName(), problem);
    stream.send(Events.error(problem));
    stream.close();
  }

  /** A framework id this master has not seen (it failed over): rebuilt, with whatever tasks agents report. */
  private Framework recoverFramework(FrameworkInfo requested) {
    Framework framework = new Framework(requested);
    framework.recovered = true;
    frameworks.put(requested.getId().getValue(), framework);
    for (AgentEntry agent : agents.values()) {
      for (TrackedTask task : agent.tasks.values()) {
        if (task.frameworkId().equals(requested.getId().getValue())) framework.tasks.put(task.id(), task);
      }
    }
    return framework;
  }

  private void updateFramework(Framework framework, FrameworkInfo updated) {
    Set<String> oldRoles = new LinkedHashSet<>(framework.roles());
    framework.info = updated;
    oldRoles.removeAll(framework.roles());
    // Offers of a role the framework dropped are rescinded (master.cpp updateFramework).
    for (OutstandingOffer offer : List.copyOf(framework.offers.values())) {
      if (oldRoles.contains(offer.role())) removeOffer(offer, null, true);
    }
  }

  /** The HTTP thread saw the subscription connection end. */
  void streamClosed(Subscription stream) {
    execute(() -> {
      for (Framework framework : frameworks.values()) {
        if (framework.stream == stream) {
          disconnect(framework);
          return;
        }
      }
    });
  }

  private void disconnect(Framework framework) {
    log.info("master: framework {} disconnected; it has {} s to fail over", framework,
        framework.info.getFailoverTimeout());
    if (framework.active) deactivate(framework, true);
    framework.stream.close();
    framework.stream = null;
    if (framework.heartbeat != null) framework.heartbeat.cancel(false);
    Instant reregistered = framework.reregisteredTime;
    Duration timeout = Duration.ofNanos((long) (framework.info.getFailoverTimeout() * 1e9));
    framework.failoverTimer = schedule(timeout, () -> {
      if (frameworks.get(framework.id().getValue()) == framework && !framework.connected()
          && framework.reregisteredTime.equals(reregistered)) {
        log.info("master: framework {} did not fail over within {} s: removing it and its tasks", framework,
            framework.info.getFailoverTimeout());
        removeFramework(framework);
      }
    });
  }

  private void deactivate(Framework framework, boolean rescind) {
    framework.active = false;
    for (OutstandingOffer offer : List.copyOf(framework.offers.values())) removeOffer(offer, null, rescind);
  }

  private void removeFramework(Framework framework) {
    log.info("master: removing framework {}", framework);
    if (framework.active) deactivate(framework, false);
    for (AgentEntry agent : agents.values()) {
      if (agent.state == AgentEntry.State.REGISTERED) agent.channel.shutdownFramework(framework.id());
    }
    for (TrackedTask task : List.copyOf(framework.tasks.values())) {
      TaskStatus status = Events.masterStatus(task.task.getAgentId(), task.task.getTaskId(), TaskState.TASK_KILLED,
          "Framework " + framework.id().getValue() + " removed", TaskStatus.Reason.REASON_FRAMEWORK_REMOVED).build();
      updateTask(task, status, null);
      removeTask(task, false);
    }
    framework.unreachableTasks.clear();
    filters.removeIf(f -> f.frameworkId().equals(framework.id().getValue()));
    frameworks.remove(framework.id().getValue());
    completedFrameworks.put(framework.id().getValue(), framework.info);
    while (completedFrameworks.size() > settings.maxCompletedFrameworks()) {
      completedFrameworks.remove(completedFrameworks.keySet().iterator().next());
    }
    if (framework.stream != null) framework.stream.close();
    framework.stream = null;
    if (framework.heartbeat != null) framework.heartbeat.cancel(false);
    if (framework.failoverTimer != null) framework.failoverTimer.cancel(false);
  }

  // ---------------------------------------------------------------------------------------------- calls

  /**
   * Everything after validation for a call other than SUBSCRIBE (http.cpp {@code scheduler()} from the framework
   * lookup on): framework known, principal, connected, stream id, then the call itself.
   */
  Reply handle(Call call, String streamId, String principal) {
    return call(() -> {
      Framework framework = frameworks.get(call.getFrameworkId().getValue());
      if (framework == null) return new Reply(400, "Framework cannot be found");
      if (principal != null && !principal.equals(framework.info.getPrincipal())) {
        return new Reply(400, "Authenticated principal '" + principal + "' does not match principal '"
            + framework.info.getPrincipal() + "' set in `FrameworkInfo`");
      }
      if (!framework.connected()) return new Reply(403, "Framework is not subscribed");
      if (streamId == null) {
        return new Reply(400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
      }
      if (!streamId.equals(framework.stream.streamId)) {
        return new Reply(400, "The stream ID '" + streamId + "' included in this request didn't match the stream ID"
            + " currently associated with framework ID " + framework.id().getValue());
      }
      return dispatch(framework, call);
    });
  }

  private Reply dispatch(Framework framework, Call call) {
    switch (call.getType()) {
      case TEARDOWN -> removeFramework(framework);
      case ACCEPT -> accept(framework, call.getAccept());
      case DECLINE -> decline(framework, call.getDecline());
      case ACCEPT_INVERSE_OFFERS, DECLINE_INVERSE_OFFERS ->
          log.info("master: ignoring inverse offer call of {}: there are no inverse offers", framework);
      case REVIVE -> revive(framework, call.getRevive().getRolesList());
      case SUPPRESS -> suppress(framework, call.getSuppress().getRolesList());
      case KILL -> kill(framework, call.getKill());
      case SHUTDOWN -> log.info("master: SHUTDOWN of executor {} ignored: the dev cluster runs no custom executors",
          call.getShutdown().getExecutorId().getValue());
      case ACKNOWLEDGE -> acknowledge(framework, call.getAcknowledge());
      case ACKNOWLEDGE_OPERATION_STATUS ->
          log.info("master: operation status acknowledgement of {} ignored: no operations run here", framework);
      case RECONCILE -> reconcile(framework, call.getReconcile().getTasksList());
      case RECONCILE_OPERATIONS -> reconcileOperations(framework, call.getReconcileOperations());
      case MESSAGE -> log.info("master: MESSAGE to executor {} dropped: the dev cluster runs no custom executors",
          call.getMessage().getExecutorId().getValue());
      case REQUEST -> log.info("master: REQUEST of {} ignored (the built-in allocator ignores requests too)", framework);
      case UPDATE_FRAMEWORK -> {
        return updateFrameworkCall(framework, call.getUpdateFramework());
      }
      default -> {
        log.warn("master: received an UNKNOWN call");
        return new Reply(501, "");
      }
    }
    return Reply.accepted();
  }

  private Reply updateFrameworkCall(Framework framework, Call.UpdateFramework update) {
    String problem = FrameworkValidation.problem(update.getFrameworkInfo(), update.getSuppressedRolesList(),
        completedFrameworks.keySet());
    if (problem != null) return new Reply(400, "Supplied FrameworkInfo is not valid: " + problem);
    problem = FrameworkValidation.updateProblem(framework.info, update.getFrameworkInfo());
    if (problem != null) return new Reply(400, "FrameworkInfo update is not valid: " + problem);
    try {
      framework.constraints = OfferConstraintsFilter.create(update.getOfferConstraints());
    } catch (OfferConstraintsFilter.Invalid e) {
      return new Reply(400, "'UpdateFramework.offer_constraints' are not valid: " + e.getMessage());
    }
    updateFramework(framework, update.getFrameworkInfo());
    framework.suppressedRoles.clear();
    framework.suppressedRoles.addAll(update.getSuppressedRolesList());
    allocateSoon();
    return new Reply(200, "");
  }

  // ---------------------------------------------------------------------------------------------- offers

  private void allocateSoon() {
    if (allocationQueued) return;
    allocationQueued = true;
    execute(this::allocate);
  }

  /** One allocation cycle: each agent's free resources go, whole, to the framework with the smallest share. */
  private void allocate() {
    allocationQueued = false;
    if (!leading()) return;
    Instant now = Instant.now();
    filters.removeIf(f -> !f.expires().isAfter(now));
    for (AgentEntry agent : agents.values()) {
      if (agent.state != AgentEntry.State.REGISTERED) continue;
      Resources free = agent.total.minus(agent.used()).minus(offeredOn(agent));
      // --min_allocatable_resources defaults to cpus:0.01|mem:32.
      if (free.scalar("cpus") < 0.01 && free.scalar("mem") < 32) continue;
      for (Framework framework : candidates()) {
        String role = offerRole(framework, agent);
        if (role == null || filtered(framework, agent, role, free)) continue;
        sendOffer(framework, agent, role, free);
        break;
      }
    }
  }

  private List<Framework> candidates() {
    double totalCpus = agents.values().stream().mapToDouble(a -> a.total.scalar("cpus")).sum();
    double totalMem = agents.values().stream().mapToDouble(a -> a.total.scalar("mem")).sum();
    return frameworks.values().stream()
        .filter(f -> f.active && f.connected())
        .sorted(Comparator.comparingDouble((Framework f) -> share(f, totalCpus, totalMem))
            .thenComparing(f -> f.id().getValue()))
        .toList();
  }

  /** Dominant resource share (DRF) over cpus and mem. */
  private double share(Framework framework, double totalCpus, double totalMem) {
    Resources held = Resources.empty();
    for (TrackedTask t : framework.tasks.values()) {
      if (!TrackedTask.terminal(t.task.getState())) held = held.plus(t.resources.withAllocation(null));
    }
    for (OutstandingOffer o : framework.offers.values()) held = held.plus(o.resources());
    return Math.max(totalCpus == 0 ? 0 : held.scalar("cpus") / totalCpus,
        totalMem == 0 ? 0 : held.scalar("mem") / totalMem);
  }

  /** The first of the framework's roles that is not suppressed and whose offer constraints admit the agent. */
  private static String offerRole(Framework framework, AgentEntry agent) {
    for (String role : framework.roles()) {
      if (!framework.suppressedRoles.contains(role)
          && !framework.constraints.excludes(role, agent.hostname, agent.attributes)) {
        return role;
      }
    }
    return null;
  }

  private boolean filtered(Framework framework, AgentEntry agent, String role, Resources free) {
    for (OfferFilter f : filters) {
      if (f.frameworkId().equals(framework.id().getValue()) && f.agentId().equals(agent.id.getValue())
          && f.role().equals(role) && f.resources().contains(free)) {
        return true;
      }
    }
    return false;
  }

  private Resources offeredOn(AgentEntry agent) {
    Resources offered = Resources.empty();
    for (OutstandingOffer o : offers.values()) {
      if (o.agentId().equals(agent.id.getValue())) offered = offered.plus(o.resources());
    }
    return offered;
  }

  private void sendOffer(Framework framework, AgentEntry agent, String role, Resources free) {
    OfferID offerId = OfferID.newBuilder().setValue(id + "-O" + offerCount++).build();
    List<Resource> resources = new ArrayList<>();
    boolean refinement = framework.hasCapability(FrameworkInfo.Capability.Type.RESERVATION_REFINEMENT);
    for (Resource r : free.withAllocation(role).toList()) {
      // Without RESERVATION_REFINEMENT the master downgrades to the old format, which names the role "*".
      resources.add(refinement ? r.toBuilder().clearRole().build() : r.toBuilder().setRole(r.getRole()).build());
    }
    Offer offer = Offer.newBuilder()
        .setId(offerId)
        .setFrameworkId(framework.id())
        .setAgentId(agent.id)
        .setHostname(agent.hostname)
        .setUrl(URL.newBuilder().setScheme("http").setAddress(Address.newBuilder().setHostname(agent.hostname)
            .setIp(agent.hostname).setPort(agent.port)).setPath("/slave(1)"))
        .setAllocationInfo(Resource.AllocationInfo.newBuilder().setRole(role))
        .addAllResources(resources)
        .addAllAttributes(agent.attributes)
        .build();
    ScheduledFuture<?> timeout = settings.offerTimeout() == null ? null : schedule(settings.offerTimeout(),
        () -> {
          OutstandingOffer held = offers.get(offerId.getValue());
          if (held != null) {
            log.info("master: offer {} timed out after {}", offerId.getValue(), settings.offerTimeout());
            removeOffer(held, null, true);
          }
        });
    OutstandingOffer outstanding = new OutstandingOffer(offer, free, timeout);
    offers.put(offerId.getValue(), outstanding);
    framework.offers.put(offerId.getValue(), outstanding);
    log.info("master: offering {} to {}: {}", offerId.getValue(), framework, free);
    framework.send(Events.offers(List.of(offer)));
  }

  /**
   * The offer is gone: its resources are free again, hidden from that framework by {@code filters} (null = none),
   * and the framework hears RESCIND only when {@code rescind}.
   */
  private void removeOffer(OutstandingOffer offer, Filters filters, boolean rescind) {
    offers.remove(offer.id());
    Framework framework = frameworks.get(offer.frameworkId());
    if (framework != null) {
      framework.offers.remove(offer.id());
      if (rescind) framework.send(Events.rescind(offer.offer().getId()));
    }
    if (offer.timeout() != null) offer.timeout().cancel(false);
    recover(offer.frameworkId(), offer.agentId(), offer.role(), offer.resources(), filters);
  }

  /** Resources back to the allocator, with the framework's filter for them when it asked for one. */
  private void recover(String frameworkId, String agentId, String role, Resources resources, Filters filter) {
    if (filter == null || resources.isEmpty()) return;
    double seconds = filter.getRefuseSeconds() < 0 ? DEFAULT_REFUSE_SECONDS
        : Math.min(filter.getRefuseSeconds(), MAX_REFUSE_SECONDS);
    if (seconds <= 0) return;
    Duration lasts = Duration.ofMillis(Math.max(settings.allocationInterval().toMillis(), (long) (seconds * 1000)));
    filters.add(new OfferFilter(frameworkId, agentId, role, resources.withAllocation(null), Instant.now().plus(lasts)));
  }

  private void decline(Framework framework, Call.Decline decline) {
    for (OfferID offerId : decline.getOfferIdsList()) {
      OutstandingOffer offer = offers.get(offerId.getValue());
      if (offer == null) {
        log.warn("master: ignoring decline of offer {}: it is no longer valid", offerId.getValue());
        continue;
      }
      removeOffer(offer, decline.getFilters(), false);
    }
  }

  private void revive(Framework framework, List<String> roles) {
    Set<String> named = validRoles(framework, roles, "revive");
    if (named == null) return;
    Set<String> affected = named.isEmpty() ? new LinkedHashSet<>(framework.roles()) : named;
    framework.suppressedRoles.removeAll(affected);
    filters.removeIf(f -> f.frameworkId().equals(framework.id().getValue()) && affected.contains(f.role()));
    allocateSoon();
  }

  private void suppress(Framework framework, List<String> roles) {
    Set<String> named = validRoles(framework, roles, "suppression");
    if (named == null) return;
    framework.suppressedRoles.addAll(named.isEmpty() ? framework.roles() : named);
  }

  /** The roles of a SUPPRESS/REVIVE, or null when one is invalid: then the whole call is dropped (still 202). */
  private Set<String> validRoles(Framework framework, List<String> roles, String what) {
    Set<String> out = new LinkedHashSet<>();
    for (String role : roles) {
      String problem = Roles.problem(role);
      if (problem != null) {
        log.warn("master: dropping {} call of {}: {} role '{}' is invalid: {}", what, framework, what, role, problem);
        return null;
      }
      if (!framework.roles().contains(role)) {
        log.warn("master: dropping {} call of {}: {} role '{}' is not one of the frameworks's subscribed roles",
            what, framework, what, role);
        return null;
      }
      out.add(role);
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------- accept

  private void accept(Framework framework, Call.Accept accept) {
    String problem = accept.getOfferIdsCount() == 0 ? "No offers specified" : OfferValidation.problem(
        accept.getOfferIdsList(), offers, framework);
    if (problem != null) {
      for (OfferID offerId : accept.getOfferIdsList()) {
        OutstandingOffer offer = offers.get(offerId.getValue());
        if (offer != null) removeOffer(offer, null, false);
      }
      log.warn("master: ACCEPT of {} used invalid offers {}: {}", framework, ids(accept.getOfferIdsList()), problem);
      TaskState state = framework.partitionAware() ? TaskState.TASK_DROPPED : TaskState.TASK_LOST;
      for (Offer.Operation op : accept.getOperationsList()) {
        for (TaskInfo task : launchedTasks(op)) {
          framework.send(Events.update(Events.masterStatus(task.getAgentId(), task.getTaskId(), state,
              "Task launched with invalid offers: " + problem, TaskStatus.Reason.REASON_INVALID_OFFERS).build()));
        }
      }
      return;
    }
    OutstandingOffer first = offers.get(accept.getOfferIds(0).getValue());
    AgentEntry agent = agents.get(first.agentId());
    String role = first.role();
    Resources remaining = Resources.empty();
    for (OfferID offerId : accept.getOfferIdsList()) {
      OutstandingOffer offer = offers.remove(offerId.getValue());
      framework.offers.remove(offerId.getValue());
      if (offer.timeout() != null) offer.timeout().cancel(false);
      remaining = remaining.plus(offer.resources());
    }
    remaining = remaining.withAllocation(role);
    for (Offer.Operation op : accept.getOperationsList()) {
      remaining = apply(framework, agent, role, op, remaining);
    }
    recover(framework.id().getValue(), agent.id.getValue(), role, remaining.withAllocation(null),
        accept.hasFilters() ? accept.getFilters() : Filters.getDefaultInstance());
  }

  /** One operation of a valid ACCEPT; returns what is left of the offered resources. */
  private Resources apply(Framework framework, AgentEntry agent, String role, Offer.Operation op,
                          Resources remaining) {
    switch (op.getType()) {
      case LAUNCH -> {
        if (!op.hasLaunch()) {
          log.warn("master: dropping LAUNCH of {}: A LAUNCH offer operation must have the Offer.Operation.launch"
              + " field set.", framework);
          return remaining;
        }
        for (TaskInfo task : op.getLaunch().getTaskInfosList()) {
          String problem = ResourceValidation.problem(task.getResourcesList());
          if (problem != null) {
            sendTaskErrors(framework, op.getLaunch().getTaskInfosList(), problem, TaskStatus.Reason.REASON_TASK_INVALID);
            return remaining;
          }
        }
        if (op.hasId()) {
          sendTaskErrors(framework, op.getLaunch().getTaskInfosList(),
              "The `id` field cannot be set on LAUNCH operations", TaskStatus.Reason.REASON_TASK_INVALID);
          return remaining;
        }
        for (TaskInfo requested : op.getLaunch().getTaskInfosList()) {
          remaining = launch(framework, agent, role, normalize(requested, role), remaining);
        }
      }
      case LAUNCH_GROUP -> sendTaskErrors(framework, op.getLaunchGroup().getTaskGroup().getTasksList(),
          "LAUNCH_GROUP is not supported by the mdo dev cluster (no default executor); use LAUNCH",
          TaskStatus.Reason.REASON_TASK_GROUP_INVALID);
      default -> log.warn("master: dropping {} operation of {}: the dev cluster has no reservations, volumes or"
          + " resource providers", op.getType(), framework);
    }
    return remaining;
  }

  /** What the master does to a task before validating it: allocation role injected, health check type guessed. */
  private static TaskInfo normalize(TaskInfo task, String role) {
    TaskInfo.Builder b = task.toBuilder();
    for (int i = 0; i < b.getResourcesCount(); i++) {
      if (!b.getResources(i).hasAllocationInfo()) {
        b.setResources(i, b.getResources(i).toBuilder().setAllocationInfo(Resource.AllocationInfo.newBuilder()
            .setRole(role)));
      }
    }
    if (b.hasHealthCheck() && !b.getHealthCheck().hasType()) {
      HealthCheck check = b.getHealthCheck();
      if (check.hasCommand() && !check.hasHttp()) b.getHealthCheckBuilder().setType(HealthCheck.Type.COMMAND);
      else if (check.hasHttp() && !check.hasCommand()) b.getHealthCheckBuilder().setType(HealthCheck.Type.HTTP);
    }
    return b.build();
  }

  private Resources launch(Framework framework, AgentEntry agent, String role, TaskInfo task, Resources remaining) {
    if (agent.state != AgentEntry.State.REGISTERED) {
      TaskState state = framework.partitionAware() ? TaskState.TASK_DROPPED : TaskState.TASK_LOST;
      framework.send(Events.update(Events.masterStatus(task.getAgentId(), task.getTaskId(), state,
          "Agent removed", TaskStatus.Reason.REASON_AGENT_REMOVED).build()));
      return remaining;
    }
    String problem = TaskValidation.problem(task, framework, agent.id.getValue(), remaining);
    if (problem != null) {
      log.info("master: task {} of {} is invalid: {}", task.getTaskId().getValue(), framework, problem);
      sendTaskErrors(framework, List.of(task), problem, TaskStatus.Reason.REASON_TASK_INVALID);
      return remaining;
    }
    Resources consumed = Resources.of(task.getResourcesList());
    Task.Builder record = Task.newBuilder()
        .setName(task.getName())
        .setTaskId(task.getTaskId())
        .setFrameworkId(framework.id())
        .setAgentId(agent.id)
        .setState(TaskState.TASK_STAGING)
        .addAllResources(task.getResourcesList())
        .setUser(framework.info.getUser());
    if (task.hasLabels()) record.setLabels(task.getLabels());
    if (task.hasDiscovery()) record.setDiscovery(task.getDiscovery());
    if (task.hasContainer()) record.setContainer(task.getContainer());
    if (task.hasHealthCheck()) record.setHealthCheck(task.getHealthCheck());
    if (task.hasKillPolicy()) record.setKillPolicy(task.getKillPolicy());
    TrackedTask tracked = new TrackedTask(record, consumed);
    framework.tasks.put(tracked.id(), tracked);
    agent.tasks.put(AgentEntry.key(tracked.frameworkId(), tracked.id()), tracked);
    log.info("master: launching task {} of {} with resources {} on agent {}", tracked.id(), framework, consumed,
        agent.id.getValue());
    agent.channel.runTask(framework.info, task);
    return remaining.minus(consumed);
  }

  private static List<TaskInfo> launchedTasks(Offer.Operation op) {
    return switch (op.getType()) {
      case LAUNCH -> op.getLaunch().getTaskInfosList();
      case LAUNCH_GROUP -> op.getLaunchGroup().getTaskGroup().getTasksList();
      default -> List.of();
    };
  }

  private void sendTaskErrors(Framework framework, List<TaskInfo> tasks, String message, TaskStatus.Reason reason) {
    for (TaskInfo task : tasks) {
      framework.send(Events.update(Events.masterStatus(task.getAgentId(), task.getTaskId(), TaskState.TASK_ERROR,
          message, reason).build()));
    }
  }

  private static List<String> ids(List<OfferID> offerIds) {
    return offerIds.stream().map(OfferID::getValue).toList();
  }

  // ---------------------------------------------------------------------------------------------- tasks

  private void kill(Framework framework, Call.Kill kill) {
    TrackedTask task = framework.tasks.get(kill.getTaskId().getValue());
    if (task == null) {
      log.warn("master: cannot kill task {} of {}: it is unknown; performing reconciliation",
          kill.getTaskId().getValue(), framework);
      Call.Reconcile.Task.Builder t = Call.Reconcile.Task.newBuilder().setTaskId(kill.getTaskId());
      if (kill.hasAgentId()) t.setAgentId(kill.getAgentId());
      reconcile(framework, List.of(t.build()));
      return;
    }
    if (kill.hasAgentId() && !kill.getAgentId().getValue().equals(task.agentId())) {
      log.warn("master: cannot kill task {} of agent {}: it belongs to agent {}", task.id(),
          kill.getAgentId().getValue(), task.agentId());
      return;
    }
    AgentEntry agent = agents.get(task.agentId());
    if (agent.state != AgentEntry.State.REGISTERED) {
      log.warn("master: cannot kill task {} now: agent {} is disconnected", task.id(), task.agentId());
      return;
    }
    log.info("master: telling agent {} to kill task {} of {}", agent.id.getValue(), task.id(), framework);
    agent.channel.killTask(framework.id(), kill.getTaskId(), kill.hasKillPolicy() ? kill.getKillPolicy() : null);
  }

  private void acknowledge(Framework framework, Call.Acknowledge ack) {
    AgentEntry agent = agents.get(ack.getAgentId().getValue());
    if (agent == null || agent.state != AgentEntry.State.REGISTERED) {
      log.warn("master: cannot forward the acknowledgement of task {} to agent {}: it is not registered",
          ack.getTaskId().getValue(), ack.getAgentId().getValue());
      return;
    }
    TrackedTask task = agent.tasks.get(AgentEntry.key(framework.id().getValue(), ack.getTaskId().getValue()));
    if (task != null) {
      if (!task.task.hasStatusUpdateState()) {
        log.warn("master: ignoring acknowledgement of task {}: this master did not send that update", task.id());
        return;
      }
      if (TrackedTask.terminal(task.task.getStatusUpdateState())
          && task.task.getStatusUpdateUuid().equals(ack.getUuid())) {
        removeTask(task, false);
      }
    }
    agent.channel.acknowledge(framework.id(), ack.getTaskId(), ack.getUuid());
  }

  @Override
  public void statusUpdate(StatusUpdate update) {
    execute(() -> receiveUpdate(update));
  }

  private void receiveUpdate(StatusUpdate update) {
    TaskStatus status = update.status();
    AgentEntry agent = agents.get(status.getAgentId().getValue());
    if (agent == null || agent.state != AgentEntry.State.REGISTERED) {
      log.warn("master: ignoring status update for task {} from agent {}: it is not registered",
          status.getTaskId().getValue(), status.getAgentId().getValue());
      return;
    }
    if (!Uuids.valid(status.getUuid())) {
      log.warn("master: ignoring status update from agent {}: Not a valid UUID", agent.id.getValue());
      return;
    }
    Framework framework = frameworks.get(update.frameworkId().getValue());
    TrackedTask task = agent.tasks.get(AgentEntry.key(update.frameworkId().getValue(), status.getTaskId().getValue()));
    if (framework != null && framework.connected()) {
      if (task != null) {
        task.task.setStatusUpdateState(status.getState()).setStatusUpdateUuid(status.getUuid());
      }
      framework.send(Events.update(status));
    } else {
      log.warn("master: status update {} of task {} for {} framework {}", status.getState(),
          status.getTaskId().getValue(), framework == null ? "an unknown" : "a disconnected",
          update.frameworkId().getValue());
    }
    if (task == null) {
      log.warn("master: could not look up task {} for its status update", status.getTaskId().getValue());
      return;
    }
    updateTask(task, status, update.latestState());
  }

  /** {@code Master::updateTask}: the latest state moves on (never out of a terminal one) and resources come back. */
  private void updateTask(TrackedTask tracked, TaskStatus status, TaskState latestState) {
    Task.Builder task = tracked.task;
    TaskState next = latestState != null ? latestState : status.getState();
    boolean wasFree = TrackedTask.terminal(task.getState()) || task.getState() == TaskState.TASK_UNREACHABLE;
    if (!TrackedTask.terminal(task.getState())) task.setState(next);
    int last = task.getStatusesCount() - 1;
    if (last >= 0 && task.getStatuses(last).getState() == status.getState()) task.removeStatuses(last);
    task.addStatuses(status.toBuilder().clearData());
    boolean nowFree = TrackedTask.terminal(task.getState()) || task.getState() == TaskState.TASK_UNREACHABLE;
    if (!wasFree && nowFree) {
      log.info("master: task {} of framework {} is {}: its resources are free", tracked.id(), tracked.frameworkId(),
          task.getState());
    }
  }

  /** The task leaves the framework: into its unreachable set, or among the completed tasks. */
  private void removeTask(TrackedTask task, boolean unreachable) {
    agents.values().forEach(a -> a.tasks.remove(AgentEntry.key(task.frameworkId(), task.id())));
    Framework framework = frameworks.get(task.frameworkId());
    if (framework != null) {
      framework.tasks.remove(task.id());
      if (unreachable) framework.unreachableTasks.put(task.id(), task);
    }
    if (!unreachable) {
      completedTasks.add(task.task.build());
      if (completedTasks.size() > MAX_COMPLETED_TASKS) completedTasks.remove(0);
    }
  }

  // ---------------------------------------------------------------------------------------------- reconciliation

  private void reconcile(Framework framework, List<Call.Reconcile.Task> tasks) {
    if (tasks.isEmpty()) {
      for (TrackedTask task : framework.tasks.values()) framework.send(Events.update(latest(task)));
      return;
    }
    boolean partitionAware = framework.partitionAware();
    for (Call.Reconcile.Task t : tasks) {
      AgentID agentId = t.hasAgentId() ? t.getAgentId() : null;
      AgentEntry agent = agentId == null ? null : agents.get(agentId.getValue());
      TrackedTask known = framework.tasks.get(t.getTaskId().getValue());
      TaskStatus answer;
      if (known != null) {
        answer = latest(known);
      } else if ((agent != null && agent.state == AgentEntry.State.RECOVERED)
          || (agentId == null && agents.values().stream().anyMatch(a -> a.state == AgentEntry.State.RECOVERED))) {
        log.info("master: dropping reconciliation of task {}: its agent has not re-registered yet",
            t.getTaskId().getValue());
        continue;
      } else if (agent != null && agent.state == AgentEntry.State.REGISTERED) {
        answer = reconciled(agentId, t.getTaskId(), partitionAware ? TaskState.TASK_GONE : TaskState.TASK_LOST,
            "Reconciliation: Task is unknown to the agent").build();
      } else if (agent != null && agent.state == AgentEntry.State.UNREACHABLE) {
        answer = reconciled(agentId, t.getTaskId(), partitionAware ? TaskState.TASK_UNREACHABLE : TaskState.TASK_LOST,
            "Reconciliation: Task is unreachable").setUnreachableTime(agent.unreachableTime).build();
      } else {
        answer = reconciled(agentId, t.getTaskId(), partitionAware ? TaskState.TASK_UNKNOWN : TaskState.TASK_LOST,
            "Reconciliation: Task is unknown").build();
      }
      framework.send(Events.update(answer));
    }
  }

  private static TaskStatus.Builder reconciled(AgentID agent, TaskID task, TaskState state, String message) {
    return Events.masterStatus(agent, task, state, message, TaskStatus.Reason.REASON_RECONCILIATION);
  }

  /** The reconciliation answer for a known task: its reported state, health and container status, no uuid. */
  private static TaskStatus latest(TrackedTask tracked) {
    Task.Builder task = tracked.task;
    TaskStatus.Builder status = reconciled(task.getAgentId(), task.getTaskId(), tracked.reportedState(),
        "Reconciliation: Latest task state");
    if (task.hasExecutorId()) status.setExecutorId(task.getExecutorId());
    for (int i = task.getStatusesCount() - 1; i >= 0; i--) {
      if (task.getStatuses(i).hasHealthy()) {
        status.setHealthy(task.getStatuses(i).getHealthy());
        break;
      }
    }
    if (task.getStatusesCount() > 0 && task.getStatuses(task.getStatusesCount() - 1).hasContainerStatus()) {
      status.setContainerStatus(task.getStatuses(task.getStatusesCount() - 1).getContainerStatus());
    }
    return status.build();
  }

  private void reconcileOperations(Framework framework, Call.ReconcileOperations call) {
    // No operation ever runs here, so an implicit reconciliation has nothing to report.
    for (Call.ReconcileOperations.Operation op : call.getOperationsList()) {
      AgentEntry agent = op.hasAgentId() ? agents.get(op.getAgentId().getValue()) : null;
      OperationState state = agent == null ? OperationState.OPERATION_UNKNOWN : switch (agent.state) {
        case RECOVERED -> OperationState.OPERATION_RECOVERING;
        case UNREACHABLE -> OperationState.OPERATION_UNREACHABLE;
        case REGISTERED -> OperationState.OPERATION_UNKNOWN;
      };
      OperationStatus.Builder status = OperationStatus.newBuilder().setOperationId(op.getOperationId())
          .setState(state);
      if (op.hasAgentId()) status.setAgentId(op.getAgentId());
      framework.send(Event.newBuilder().setType(Event.Type.UPDATE_OPERATION_STATUS)
          .setUpdateOperationStatus(Event.UpdateOperationStatus.newBuilder().setStatus(status)).build());
    }
  }

  // ---------------------------------------------------------------------------------------------- agents

  @Override
  public void register(AgentRegistration registration) {
    execute(() -> registerAgent(registration));
  }

  private void registerAgent(AgentRegistration reg) {
    AgentID agentId = reg.agentId() != null ? reg.agentId()
        : AgentID.newBuilder().setValue(id + "-S" + agentCount++).build();
    AgentEntry agent = agents.get(agentId.getValue());
    AgentEntry.State before = agent == null ? null : agent.state;
    if (agent == null) {
      agent = new AgentEntry(agentId, AgentEntry.State.REGISTERED);
      agents.put(agentId.getValue(), agent);
    }
    agent.hostname = reg.hostname();
    agent.port = reg.port();
    agent.total = Resources.of(reg.resources());
    agent.attributes = reg.attributes();
    agent.channel = reg.channel();
    agent.state = AgentEntry.State.REGISTERED;
    agent.unreachableTime = null;
    agent.registeredTime = Instant.now();
    for (FrameworkInfo info : reg.frameworks()) {
      if (!frameworks.containsKey(info.getId().getValue()) && !completedFrameworks.containsKey(info.getId().getValue())) {
        Framework recovered = new Framework(info);
        recovered.recovered = true;
        frameworks.put(info.getId().getValue(), recovered);
      }
    }
    for (Task task : reg.tasks()) readd(agent, task, before);
    log.info("master: agent {} {} at {} with {}", agentId.getValue(), before == null ? "registered"
        : "re-registered (was " + before + ")", reg.hostname(), agent.total);
    reg.channel().registered(agentId);
    allocateSoon();
  }

  /** A task an agent reports when it (re-)registers ({@code Master::__reregisterSlave}). */
  private void readd(AgentEntry agent, Task task, AgentEntry.State before) {
    String frameworkId = task.getFrameworkId().getValue();
    if (completedFrameworks.containsKey(frameworkId)) {
      log.info("master: agent {} still runs framework {} which was removed: shutting it down", agent.id.getValue(),
          frameworkId);
      agent.channel.shutdownFramework(task.getFrameworkId());
      return;
    }
    Framework framework = frameworks.get(frameworkId);
    TrackedTask tracked = new TrackedTask(task.toBuilder(), Resources.of(task.getResourcesList()));
    agent.tasks.put(AgentEntry.key(frameworkId, tracked.id()), tracked);
    if (framework == null) return;
    framework.unreachableTasks.remove(tracked.id());
    framework.tasks.put(tracked.id(), tracked);
    if (before == AgentEntry.State.RECOVERED || before == AgentEntry.State.REGISTERED) return;
    TaskStatus.Builder status = Events.masterStatus(task.getAgentId(), task.getTaskId(), task.getState(),
        before == AgentEntry.State.UNREACHABLE ? "Unreachable agent re-reregistered" : "Unknown agent reregistered",
        TaskStatus.Reason.REASON_AGENT_REREGISTERED);
    TaskStatus latest = tracked.task.getStatusesCount() == 0 ? null
        : tracked.task.getStatuses(tracked.task.getStatusesCount() - 1);
    if (latest != null && latest.hasHealthy()) status.setHealthy(latest.getHealthy());
    if (latest != null && latest.hasContainerStatus()) status.setContainerStatus(latest.getContainerStatus());
    if (framework.connected()) framework.send(Events.update(status.build()));
  }

  /**
   * The agent missed its pings (Mesos: 5 × 15 s): its tasks become TASK_UNREACHABLE (TASK_LOST for frameworks that
   * are not partition-aware), its offers are rescinded.
   */
  public void markUnreachable(AgentID agentId) {
    call(() -> {
      AgentEntry agent = agents.get(agentId.getValue());
      if (agent == null || agent.state != AgentEntry.State.REGISTERED) return null;
      agent.state = AgentEntry.State.UNREACHABLE;
      agent.unreachableTime = Events.timeNow();
      log.info("master: agent {} is unreachable (health check timed out)", agentId.getValue());
      for (TrackedTask task : List.copyOf(agent.tasks.values())) {
        Framework framework = frameworks.get(task.frameworkId());
        boolean partitionAware = framework != null && framework.partitionAware();
        TaskStatus status = Events.masterStatus(agentId, task.task.getTaskId(),
            partitionAware ? TaskState.TASK_UNREACHABLE : TaskState.TASK_LOST, "health check timed out",
            TaskStatus.Reason.REASON_AGENT_REMOVED).setUnreachableTime(agent.unreachableTime).build();
        updateTask(task, status, null);
        removeTask(task, true);
        if (framework != null && framework.connected()) framework.send(Events.update(status));
      }
      for (OutstandingOffer offer : List.copyOf(offers.values())) {
        if (offer.agentId().equals(agentId.getValue())) removeOffer(offer, null, true);
      }
      return null;
    });
  }

  /** After a master failover: agents the registry knows, recovering until they re-register. */
  public void recoverAgent(AgentID agentId) {
    call(() -> {
      agents.putIfAbsent(agentId.getValue(), new AgentEntry(agentId, AgentEntry.State.RECOVERED));
      return null;
    });
  }

  /** This master lost leadership: like a real one it gives up its subscriptions (schedulers then re-subscribe). */
  public void stepDown() {
    call(() -> {
      for (Framework framework : frameworks.values()) {
        if (framework.stream != null) framework.stream.close();
        if (framework.heartbeat != null) framework.heartbeat.cancel(false);
        if (framework.failoverTimer != null) framework.failoverTimer.cancel(false);
      }
      frameworks.clear();
      offers.clear();
      filters.clear();
      agents.clear();
      return null;
    });
  }

  // ---------------------------------------------------------------------------------------------- state

  /** A consistent snapshot for {@code /master/state}. */
  MasterState.Snapshot snapshot() {
    return call(() -> new MasterState.Snapshot(info, startTime, leading(), leadership.leaderAddress().orElse(null),
        List.copyOf(frameworks.values()).stream().map(MasterState::framework).toList(),
        completedFrameworks.values().stream().toList(), List.copyOf(completedTasks),
        agents.values().stream().map(a -> MasterState.agent(a, offeredOn(a))).toList()));
  }

  @Override
  public void close() {
    try {
      call(() -> {
        for (Framework framework : frameworks.values()) {
          if (framework.stream != null) framework.stream.close();
        }
        if (allocator != null) allocator.cancel(false);
        return null;
      });
    } catch (RuntimeException e) {
      log.warn("master: could not close subscriptions cleanly: {}", e.toString());
    }
    actor.stop();
  }
}
