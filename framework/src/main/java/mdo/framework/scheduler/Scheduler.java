package mdo.framework.scheduler;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import mdo.cluster.Labels;
import mdo.cluster.TaskObservation;
import mdo.cluster.Timestamps;
import mdo.command.DaemonThreads;
import mdo.framework.desired.DesiredService;
import mdo.framework.desired.ServiceProgress;
import mdo.framework.placement.AgentLaunch;
import mdo.framework.placement.Constraint;
import mdo.framework.placement.PendingTasks;
import mdo.framework.placement.PlacementResult;
import mdo.framework.placement.Placer;
import mdo.framework.placement.RunningTask;
import mdo.framework.placement.TaskPlacement;
import mdo.framework.placement.Unplaced;
import mdo.framework.state.FrameworkTask;
import mdo.framework.state.StateStore;
import mdo.framework.tasks.MesosTaskId;
import mdo.framework.tasks.OfferedResources;
import mdo.framework.tasks.ResourceShortfallException;
import mdo.framework.tasks.TaskInfoBuilder;
import mdo.mesos.MesosCallRejectedException;
import mdo.mesos.MesosException;
import mdo.mesos.NotSubscribedException;
import mdo.mesos.SchedulerConnection;
import mdo.mesos.SchedulerListener;
import mdo.mesos.SubscriptionRefusedException;
import mdo.registry.store.EtcdException;
import mdo.registry.store.FencedException;
import mdo.registry.writer.RegistryWriter;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native framework's controller: it converges what runs on Mesos to the desired state in etcd, whoever wrote it
 * and whenever, and never needs launcher or updater to be running. Every input (desired state, Mesos events, its own
 * timer) is handled on one thread, then one {@link #step} looks at the whole picture:
 *
 * <ol>
 *   <li>per service, a {@link ServicePlan}: what to kill (scale-down newest first, replaced tasks as their successors
 *       become ready, everything of a service nobody wants) and how many tasks to launch;
 *   <li>SUPPRESS when nothing waits to launch, REVIVE when something new does (which also clears DECLINE filters);
 *   <li>held offers through {@link Placer} and {@link TaskInfoBuilder}: one ACCEPT per agent, the task records written
 *       to etcd before it, everything unused DECLINEd for {@link SchedulerSettings#refuseSeconds()};
 *   <li>the progress of every service written to etcd when it changed, for launcher/updater and the subscriber.
 * </ol>
 *
 * Status updates are acknowledged exactly when they carry a uuid, after the task record took the change (a crash before
 * that makes Mesos resend it). Every task change becomes a {@link TaskObservation} for the {@link RegistryWriter}, so the
 * registry holds the same records as with Marathon. Tasks the master reports that the scheduler has no record of are
 * killed; tasks on unreachable agents count until {@link SchedulerSettings#unreachableTimeout()}, are then replaced,
 * and are killed if their agent comes back.
 */
public final class Scheduler implements SchedulerListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
  /** TASK_LOST reasons after which the task may come back (Marathon's {@code TaskConditionMapping.Unreachable}). */
  private static final Set<TaskStatus.Reason> MIGHT_COME_BACK = Set.of(TaskStatus.Reason.REASON_RECONCILIATION,
      TaskStatus.Reason.REASON_AGENT_DISCONNECTED, TaskStatus.Reason.REASON_AGENT_REMOVED);
  /** Ends a task may have that are not the service's fault: relaunched without a launch delay. */
  private static final Set<String> NOT_A_FAILURE = Set.of("TASK_GONE", "TASK_GONE_BY_OPERATOR", "TASK_DROPPED",
      "TASK_UNKNOWN", "TASK_LOST");
  /** A failed write of a launch's task records: the offers come back soon, not after the long filter. */
  private static final double RETRY_REFUSE_SECONDS = 5;

  private final String environment;
  private final SchedulerSettings settings;
  private final StateStore store;
  private final RegistryWriter writer;
  private final SchedulerMetrics metrics;
  private final Clock clock;
  private final Consumer<String> refresh;
  private final ScheduledExecutorService thread;
  private final TaskBook book;
  private final MesosOffers offers = new MesosOffers();
  private final LaunchBackoff backoff;
  private final Reconciliation reconciliation;
  // the scheduler thread's state
  private final Map<String, DesiredService> desired = new TreeMap<>();
  private final Map<String, Deque<MesosTaskId>> relaunches = new HashMap<>();
  private final Map<String, String> unplaced = new HashMap<>();
  private final Set<String> roomNeeded = new HashSet<>();
  private final Map<String, String> lastFailure = new HashMap<>();
  private final Map<String, Instant> killSentAt = new HashMap<>();
  private final Map<String, Instant> acceptedAt = new HashMap<>();
  private final Map<String, Instant> confirmAskedAt = new HashMap<>();
  private final Map<String, ServiceProgress> written = new HashMap<>();
  private SchedulerConnection connection;
  private boolean desiredLoaded;
  private boolean subscribed;
  private boolean suppressed;
  private int lastLaunchable;
  private volatile Snapshot snapshot;
  private volatile String failed;

  /** What the scheduler knows, published after every step for the cluster view, /health and /metrics. */
  public record Snapshot(Map<String, DesiredService> desired, List<FrameworkTask> tasks, boolean desiredLoaded,
      boolean subscribed, int heldOffers, int unansweredReconciliation, Map<String, ServiceProgress> progress) {}

  /** @param refresh asked to re-read an app into the registry (by its app id) when the writer wants that */
  public Scheduler(String environment, SchedulerSettings settings, StateStore store, RegistryWriter writer,
      SchedulerMetrics metrics, Clock clock, Consumer<String> refresh) {
    this.environment = environment;
    this.settings = settings;
    this.store = store;
    this.writer = writer;
    this.metrics = metrics;
    this.clock = clock;
    this.refresh = refresh;
    this.book = new TaskBook(store);
    this.backoff = new LaunchBackoff(settings.backoff(), settings.backoffFactor(), settings.backoffMax());
    this.reconciliation = new Reconciliation(settings.reconcileRetry(), settings.reconcileRetryMax(),
        settings.reconcileInterval());
    this.thread = Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory("mdo-framework-scheduler"));
  }

  /**
   * Loads the task records the previous leader left (an {@link EtcdException} when etcd cannot be read: then nothing
   * started), then handles inputs; {@code connection} is where calls go. Start the connection after this.
   */
  public void start(SchedulerConnection calls) {
    book.load();
    this.connection = calls;
    log.info("started: scheduler for environment '{}' with {} task records", environment, book.size());
    publish();
    long tick = settings.tick().toMillis();
    thread.scheduleWithFixedDelay(() -> run("tick", () -> { }), tick, tick, TimeUnit.MILLISECONDS);
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  /** Why the connection stopped for good (refused, or another scheduler took the framework over); null while not. */
  public String failed() {
    return failed;
  }

  // ---- inputs (any thread)

  /**
   * Every service's desired state, as listed from etcd: replaces what was known, except for the services whose value
   * could not be read ({@code unreadable}), which keep their last readable one: garbage in etcd never kills a service.
   */
  public void desiredListing(Map<String, DesiredService> all, Set<String> unreadable) {
    Map<String, DesiredService> copy = Map.copyOf(all);
    Set<String> keep = Set.copyOf(unreadable);
    run("desired listing", () -> {
      desired.keySet().removeIf(service -> !copy.containsKey(service) && !keep.contains(service));
      desired.putAll(copy);
      desiredLoaded = true;
    });
  }

  /** One service's desired state changed; null when it was deleted. */
  public void desiredChanged(String service, DesiredService value) {
    run("desired state of " + service, () -> {
      if (value == null) desired.remove(service);
      else desired.put(service, value);
    });
  }

  @Override
  public void onEvent(Event event) {
    run(event.getType().name(), () -> handle(event));
  }

  @Override
  public void onDisconnected(String reason) {
    run("disconnected", () -> {
      subscribed = false;
      offers.clear();
    });
  }

  @Override
  public void onFailed(SubscriptionRefusedException cause) {
    run("connection failed", () -> {
      subscribed = false;
      offers.clear();
      failed = cause.getMessage();
      log.error("stopped: the Mesos master refused this scheduler: {}", cause.getMessage());
    });
  }

  /** Runs {@code input} on the scheduler's thread, then a step; a failure is logged, never the end of the thread. */
  private void run(String what, Runnable input) {
    try {
      thread.execute(() -> {
        try {
          input.run();
          step();
        } catch (RuntimeException e) {
          log.error("failed: handling {}: {}", what, e.toString(), e);
        }
      });
    } catch (RejectedExecutionException e) {
      log.debug("ignored: {} after close", what);
    }
  }

  // ---- events

  private void handle(Event event) {
    switch (event.getType()) {
      case SUBSCRIBED -> {
        subscribed = true;
        failed = null;
        lastLaunchable = 0; // revive on this subscription if anything waits
        int dropped = offers.clear();
        if (dropped > 0) log.info("dropped: {} offers held before re-subscribing (the master voided them)", dropped);
        reconciliation.subscribed(book.all().stream().map(FrameworkTask::taskId).toList(), clock.instant());
      }
      case OFFERS -> {
        List<Offer> received = event.getOffers().getOffersList();
        metrics.offersReceived(received.size());
        offers.add(received);
      }
      case RESCIND -> {
        if (offers.rescind(event.getRescind().getOfferId().getValue())) metrics.offerRescinded();
      }
      case UPDATE -> status(event.getUpdate().getStatus());
      case FAILURE -> log.warn("failure: {}", event.getFailure().toString().replace('\n', ' '));
      default -> { }
    }
  }

  private void status(TaskStatus s) {
    String id = s.getTaskId().getValue();
    String state = s.getState().name();
    metrics.update(state);
    Instant at = time(s.getTimestamp());
    writer.observed(at);
    reconciliation.answered(id);
    FrameworkTask task = book.get(id);
    boolean terminal = TaskObservation.TERMINAL_STATES.contains(state)
        || s.getState() == TaskState.TASK_LOST && !MIGHT_COME_BACK.contains(s.getReason());
    boolean unreachable = s.getState() == TaskState.TASK_UNREACHABLE || s.getState() == TaskState.TASK_LOST && !terminal;
    if (task == null) {
      if (!terminal) {
        log.warn("killing: task {} the master reports {} is not one the scheduler launched or still wants", id, state);
        kill(s.getTaskId(), s.hasAgentId() ? s.getAgentId() : null);
      }
      acknowledge(s);
      return;
    }
    try {
      if (terminal) ended(task, s, state, at);
      else changed(task, s, state, at, unreachable);
    } catch (EtcdException | FencedException e) {
      log.warn("failed: recording {} of task {}: {}; not acknowledged, so Mesos sends it again", state, id,
          e.getMessage());
      return;
    }
    acknowledge(s);
  }

  /** A task's state or health changed (or was confirmed): record, registry, and a kill if it is no longer wanted. */
  private void changed(FrameworkTask task, TaskStatus s, String state, Instant at, boolean unreachable) {
    String id = task.taskId();
    String since = unreachable ? task.unreachableSince() != null ? task.unreachableSince()
        : Timestamps.format(s.hasUnreachableTime() ? Instant.ofEpochSecond(0, s.getUnreachableTime().getNanoseconds())
            : at) : null;
    boolean running = s.getState() == TaskState.TASK_RUNNING;
    String startedAt = task.startedAt() == null && running ? Timestamps.format(at) : task.startedAt();
    FrameworkTask updated = task.withState(state, s.hasHealthy() ? Boolean.valueOf(s.getHealthy()) : task.healthy(),
        startedAt, since);
    if (!updated.equals(task)) book.put(updated);
    if (unreachable && task.unreachableSince() == null) {
      log.warn("unreachable: task {} of {} on {} ({}); replaced after {} unless it comes back", id, task.service(),
          task.hostname(), s.getReason(), settings.unreachableTimeout());
    } else if (!unreachable && task.unreachableSince() != null) {
      log.info("back: task {} of {} on {} is {} again", id, task.service(), task.hostname(), state);
    }
    Instant accepted = running ? acceptedAt.remove(id) : null;
    if (accepted != null) metrics.launchLatency(Duration.between(accepted, clock.instant()));
    observe(List.of(new RegistryWriter.Received(Observations.of(environment, updated, desired.get(task.service()),
        s.hasHealthy(), at), "status_update", System.nanoTime())));
    if (!unreachable && updated.inactive()) kill(updated, "its agent came back after a replacement took its place");
  }

  /** A task ended: its record goes, and an instance that ended unasked is relaunched (after a delay if it failed). */
  private void ended(FrameworkTask task, TaskStatus s, String state, Instant at) {
    book.remove(task.taskId());
    reconciliation.forget(task.taskId());
    killSentAt.remove(task.taskId());
    acceptedAt.remove(task.taskId());
    confirmAskedAt.remove(task.taskId());
    observe(List.of(new RegistryWriter.Received(new TaskObservation.Instance(task.service(),
        Labels.appId(environment, task.service()), MesosTaskId.parse(task.taskId()).map(MesosTaskId::instanceId)
            .orElse(task.taskId()), null, null, true, at), "status_update", System.nanoTime())));
    if (task.killing() || task.inactive()) {
      log.info("ended: task {} of {} ({})", task.taskId(), task.service(), state);
      return;
    }
    String message = state + " on " + task.hostname() + " at " + Timestamps.format(at)
        + (s.getMessage().isBlank() ? "" : ": " + s.getMessage().strip());
    lastFailure.put(task.service(), message);
    metrics.failure();
    log.warn("ended: task {} of {} unexpectedly: {} ({})", task.taskId(), task.service(), message, s.getReason());
    DesiredService d = desired.get(task.service());
    if (d == null) return;
    MesosTaskId.parse(task.taskId()).ifPresent(id -> relaunches.computeIfAbsent(task.service(), k -> new ArrayDeque<>())
        .add(id.nextIncarnation()));
    if (!NOT_A_FAILURE.contains(state)) {
      Duration ran = task.startedAt() == null ? Duration.ZERO : Duration.between(Timestamps.parse(task.startedAt()), at);
      backoff.failed(task.service(), task.configVersion(), clock.instant(), ran);
    }
  }

  /**
   * Hands observations to the registry writer; when it says their services need a fresh look (a write lost its
   * compare-and-swap to what another writer left, say the previous leader), the refresh runs off this thread, once this
   * step's state is published.
   */
  private void observe(List<RegistryWriter.Received> observations) {
    if (!writer.apply(observations)) return;
    Set<String> apps = new TreeSet<>();
    for (RegistryWriter.Received r : observations) apps.add(r.observation().appId());
    apps.forEach(refresh);
  }

  private void acknowledge(TaskStatus s) {
    if (!s.hasUuid() || !s.hasAgentId()) return; // reconciliation answers and master updates carry none (API.md A3)
    try {
      connection.acknowledge(s);
    } catch (MesosException e) {
      log.warn("failed: acknowledging {} of {}: {}; Mesos resends it", s.getState(), s.getTaskId().getValue(),
          e.getMessage());
    }
  }

  // ---- one step over the whole picture

  private void step() {
    Instant now = clock.instant();
    if (desiredLoaded) {
      timers(now);
      Map<String, ServicePlan> plans = plans();
      for (ServicePlan plan : plans.values()) {
        for (ServicePlan.Kill k : plan.kills()) kill(k.task(), k.reason());
      }
      Map<String, Integer> launchable = launchable(plans, now);
      offersWanted(plans, launchable);
      if (subscribed && !offers.isEmpty()) offerCycle(plans, launchable, now);
      progress(plans, now);
    }
    publish();
  }

  private Map<String, ServicePlan> plans() {
    Map<String, List<FrameworkTask>> byService = book.byService();
    Set<String> services = new TreeSet<>(desired.keySet());
    services.addAll(byService.keySet());
    Map<String, ServicePlan> plans = new LinkedHashMap<>();
    for (String service : services) {
      plans.put(service, ServicePlan.of(desired.get(service), byService.getOrDefault(service, List.of()),
          roomNeeded.remove(service)));
    }
    return plans;
  }

  /** Tasks each service may launch now: its demand, unless a launch delay holds it back. */
  private Map<String, Integer> launchable(Map<String, ServicePlan> plans, Instant now) {
    Map<String, Integer> out = new LinkedHashMap<>();
    plans.forEach((service, plan) -> {
      DesiredService d = desired.get(service);
      if (d == null || plan.demand() == 0) {
        relaunches.remove(service);
        unplaced.remove(service);
        return;
      }
      if (backoff.remaining(service, d.configVersion(), now).isZero()) out.put(service, plan.demand());
    });
    return out;
  }

  /** SUPPRESS when nothing waits, REVIVE when more can launch than at the last look (clearing DECLINE filters). */
  private void offersWanted(Map<String, ServicePlan> plans, Map<String, Integer> launchable) {
    int total = launchable.values().stream().mapToInt(Integer::intValue).sum();
    boolean waiting = plans.values().stream().anyMatch(p -> p.demand() > 0);
    int before = lastLaunchable;
    lastLaunchable = total;
    if (!subscribed) return;
    try {
      if (total > 0 && (suppressed || total > before)) {
        connection.revive();
        suppressed = false;
        log.info("reviving: {} task(s) to launch", total);
      } else if (!waiting && !suppressed) {
        decline(offers.ids(), settings.refuseSeconds());
        connection.suppress();
        suppressed = true;
        log.info("suppressing: nothing to launch");
      }
    } catch (MesosException e) {
      log.warn("failed: {} offers: {}", total > 0 ? "reviving" : "suppressing", e.getMessage());
    }
  }

  private void offerCycle(Map<String, ServicePlan> plans, Map<String, Integer> launchable, Instant now) {
    List<PendingTasks> pending = new ArrayList<>();
    List<RunningTask> running = new ArrayList<>();
    for (Map.Entry<String, Integer> e : launchable.entrySet()) {
      DesiredService d = desired.get(e.getKey());
      List<Constraint> constraints;
      try {
        constraints = Constraint.parseAll(d.definition().constraints());
      } catch (IllegalArgumentException ex) {
        unplaced.put(e.getKey(), "invalid constraint: " + ex.getMessage());
        continue;
      }
      List<Integer> ports = d.definition().ports().stream().map(p -> p.fixed() ? p.hostPort() : 0).toList();
      pending.add(new PendingTasks(e.getKey(), d.instances(), d.definition().cpus(), d.definition().mem(), 0, ports,
          constraints, taskIds(e.getKey(), e.getValue())));
      for (FrameworkTask t : book.all()) {
        if (t.service().equals(e.getKey()) && t.configVersion().equals(d.configVersion()) && !t.killing()
            && !t.inactive()) {
          running.add(new RunningTask(t.service(), t.taskId(), MesosOffers.agent(t)));
        }
      }
    }
    if (pending.isEmpty()) {
      decline(offers.ids(), settings.refuseSeconds());
      return;
    }
    PlacementResult result;
    try {
      result = Placer.place(offers.forPlacement(), pending, running);
    } catch (IllegalArgumentException e) { // offers Mesos would never send (overlapping ports of one agent...)
      log.error("failed: placing on {} offers: {}; declining them", offers.size(), e.getMessage());
      decline(offers.ids(), RETRY_REFUSE_SECONDS);
      return;
    }
    for (AgentLaunch launch : result.launches()) launch(launch, now);
    decline(result.unusedOfferIds(), settings.refuseSeconds());
    for (PendingTasks p : pending) {
      Unplaced u = result.unplaced(p.service()).orElse(null);
      if (u == null) {
        unplaced.remove(p.service());
        continue;
      }
      unplaced.put(p.service(), u.reason());
      ServicePlan plan = plans.get(p.service());
      if (plan.old() > 0 && (!p.hardPorts().isEmpty() || unique(p.constraints()))) roomNeeded.add(p.service());
    }
  }

  private static boolean unique(List<Constraint> constraints) {
    return constraints.stream().anyMatch(c -> c.operator() == Constraint.Operator.UNIQUE);
  }

  /** Ids for the next launches: relaunches of instances that ended first (same instance, next incarnation). */
  private List<String> taskIds(String service, int count) {
    Set<String> liveInstances = new HashSet<>();
    for (FrameworkTask t : book.all()) {
      MesosTaskId.parse(t.taskId()).ifPresent(id -> liveInstances.add(id.instanceId()));
    }
    List<String> out = new ArrayList<>();
    Deque<MesosTaskId> queue = relaunches.getOrDefault(service, new ArrayDeque<>());
    queue.removeIf(id -> liveInstances.contains(id.instanceId()));
    for (MesosTaskId id : queue) {
      if (out.size() == count) break;
      out.add(id.value());
    }
    while (out.size() < count) out.add(MesosTaskId.newInstance(environment, service).value());
    return out;
  }

  /** One ACCEPT for an agent: the task records first, so a successor knows what was launched. */
  private void launch(AgentLaunch launch, Instant now) {
    List<Offer> agentOffers = offers.take(launch.offerIds());
    if (agentOffers.isEmpty()) return;
    OfferedResources offered = new OfferedResources(agentOffers);
    Map<String, String> attributes = MesosOffers.rendered(MesosOffers.agent(agentOffers.get(0)));
    List<TaskInfo> infos = new ArrayList<>();
    List<FrameworkTask> records = new ArrayList<>();
    for (TaskPlacement p : launch.tasks()) {
      DesiredService d = desired.get(p.service());
      MesosTaskId id = MesosTaskId.parse(p.taskId()).orElseThrow();
      try {
        infos.add(TaskInfoBuilder.build(d, id, offered, p.ports()));
      } catch (ResourceShortfallException e) {
        log.warn("skipped: launching {} on {}: {}", id, offered.hostname(), e.getMessage());
        unplaced.put(p.service(), e.getMessage());
        continue;
      }
      records.add(new FrameworkTask(id.value(), p.service(), offered.agentId().getValue(), offered.hostname(),
          attributes, Observations.ports(d.definition(), p.ports()), d.version(), d.configVersion(), "TASK_STAGING",
          null, Timestamps.format(now), null, null, false, false));
    }
    List<String> offerIds = agentOffers.stream().map(o -> o.getId().getValue()).toList();
    if (records.isEmpty()) {
      decline(offerIds, settings.refuseSeconds());
      return;
    }
    try {
      book.putAll(records);
    } catch (EtcdException | FencedException e) {
      log.warn("failed: writing the records of {} task(s) to launch on {}: {}; declining the offers for now",
          records.size(), offered.hostname(), e.getMessage());
      decline(offerIds, RETRY_REFUSE_SECONDS);
      return;
    }
    for (FrameworkTask r : records) {
      Deque<MesosTaskId> queue = relaunches.get(r.service());
      if (queue != null) queue.removeIf(id -> id.value().equals(r.taskId()));
    }
    Offer.Operation operation = Offer.Operation.newBuilder().setType(Offer.Operation.Type.LAUNCH)
        .setLaunch(Offer.Operation.Launch.newBuilder().addAllTaskInfos(infos)).build();
    List<OfferID> ids = agentOffers.stream().map(Offer::getId).toList();
    try {
      connection.accept(ids, List.of(operation), settings.refuseSeconds());
      metrics.offersAccepted(ids.size());
      metrics.launched(records.size());
      Instant sent = clock.instant();
      for (FrameworkTask r : records) acceptedAt.put(r.taskId(), sent);
      log.info("launched: {} on {}", records.stream().map(FrameworkTask::taskId).toList(), offered.hostname());
    } catch (MesosCallRejectedException | NotSubscribedException e) {
      log.error("failed: the master did not take the ACCEPT launching {} task(s) on {}: {}", records.size(),
          offered.hostname(), e.getMessage());
      try {
        book.removeAll(records);
      } catch (EtcdException | FencedException ex) {
        log.warn("failed: removing the records of tasks never launched: {}; reconciliation removes them",
            ex.getMessage());
      }
      return;
    } catch (MesosException e) {
      log.warn("failed: ACCEPT on {} may not have reached the master ({}); reconciliation tells", offered.hostname(),
          e.getMessage());
    }
    List<RegistryWriter.Received> staged = new ArrayList<>();
    for (FrameworkTask r : records) {
      staged.add(new RegistryWriter.Received(Observations.of(environment, r, desired.get(r.service()), false, now),
          "launch", System.nanoTime()));
    }
    observe(staged);
  }

  private void decline(List<String> offerIds, double refuseSeconds) {
    if (offerIds.isEmpty()) return;
    List<OfferID> ids = new ArrayList<>();
    for (String id : offerIds) ids.add(OfferID.newBuilder().setValue(id).build());
    offers.take(offerIds);
    try {
      connection.decline(ids, refuseSeconds);
      metrics.offersDeclined(ids.size());
    } catch (MesosException e) {
      log.warn("failed: declining {} offer(s): {}", ids.size(), e.getMessage());
    }
  }

  // ---- kills

  /** Marks the task draining (record first), then asks Mesos to kill it; retried until a terminal update comes. */
  private void kill(FrameworkTask task, String reason) {
    if (task.killing()) return;
    FrameworkTask killing = task.killed();
    try {
      book.put(killing);
    } catch (EtcdException | FencedException e) {
      log.warn("failed: marking {} for a kill: {}; trying again", task.taskId(), e.getMessage());
      return;
    }
    observe(List.of(new RegistryWriter.Received(Observations.of(environment, killing,
        desired.get(task.service()), false, clock.instant()), "kill", System.nanoTime())));
    log.info("killing: {} of {} on {}: {}", task.taskId(), task.service(), task.hostname(), reason);
    sendKill(killing);
  }

  private void sendKill(FrameworkTask task) {
    killSentAt.put(task.taskId(), clock.instant());
    kill(TaskID.newBuilder().setValue(task.taskId()).build(), AgentID.newBuilder().setValue(task.agentId()).build());
  }

  private void kill(TaskID task, AgentID agent) {
    try {
      connection.kill(task, agent);
      metrics.killSent();
    } catch (MesosException e) {
      log.warn("failed: KILL of {}: {}; retrying", task.getValue(), e.getMessage());
    }
  }

  // ---- timers

  private void timers(Instant now) {
    if (!subscribed) return;
    Set<String> explicit = reconciliation.explicitDue(now);
    if (!explicit.isEmpty()) reconcile(explicit, "explicit");
    if (reconciliation.implicitDue(now)) {
      reconcile(Set.of(), "implicit");
      Set<String> unreachable = new TreeSet<>();
      for (FrameworkTask t : book.all()) if (t.unreachable()) unreachable.add(t.taskId());
      if (!unreachable.isEmpty()) reconcile(unreachable, "explicit, unreachable tasks");
    }
    Set<String> unconfirmed = new TreeSet<>();
    for (FrameworkTask t : List.copyOf(book.all())) {
      if ("TASK_STAGING".equals(t.state()) && launchUnconfirmed(t, now)) unconfirmed.add(t.taskId());
      if (t.killing()) {
        Instant sent = killSentAt.get(t.taskId());
        if (sent == null || !now.isBefore(sent.plus(settings.killRetry()))) sendKill(t);
      }
      if (t.unreachable() && !t.inactive()
          && !now.isBefore(Timestamps.parse(t.unreachableSince()).plus(settings.unreachableTimeout()))) {
        try {
          book.put(t.deactivated());
          log.warn("replacing: task {} of {} on {} unreachable since {} (unreachable-timeout {}); it is killed if its"
              + " agent comes back", t.taskId(), t.service(), t.hostname(), t.unreachableSince(),
              settings.unreachableTimeout());
        } catch (EtcdException | FencedException e) {
          log.warn("failed: marking {} inactive: {}; trying again", t.taskId(), e.getMessage());
        }
      }
    }
    if (!unconfirmed.isEmpty()) reconcile(unconfirmed, "explicit, launches without an update");
  }

  /** No status since the launch for {@link SchedulerSettings#launchConfirm()} (and not asked about for as long). */
  private boolean launchUnconfirmed(FrameworkTask t, Instant now) {
    Duration wait = settings.launchConfirm();
    Instant asked = confirmAskedAt.get(t.taskId());
    if (now.isBefore(Timestamps.parse(t.stagedAt()).plus(wait)) || asked != null && now.isBefore(asked.plus(wait))) {
      return false;
    }
    confirmAskedAt.put(t.taskId(), now);
    return true;
  }

  private void reconcile(Set<String> taskIds, String how) {
    List<Call.Reconcile.Task> tasks = new ArrayList<>();
    for (String id : taskIds) {
      FrameworkTask t = book.get(id);
      if (t == null) {
        reconciliation.forget(id);
        continue;
      }
      tasks.add(Call.Reconcile.Task.newBuilder().setTaskId(TaskID.newBuilder().setValue(id))
          .setAgentId(AgentID.newBuilder().setValue(t.agentId())).build()); // with the agent (API.md A8)
    }
    if (tasks.isEmpty() && !taskIds.isEmpty()) return;
    try {
      connection.reconcile(tasks);
      log.info("reconciling ({}): {}", how, tasks.isEmpty() ? "every task the master knows" : tasks.size() + " task(s)");
    } catch (MesosException e) {
      log.warn("failed: reconciling: {}", e.getMessage());
    }
  }

  // ---- progress

  private void progress(Map<String, ServicePlan> plans, Instant now) {
    Map<String, SchedulerMetrics.PendingRow> pendingRows = new TreeMap<>();
    for (Map.Entry<String, DesiredService> e : desired.entrySet()) {
      String service = e.getKey();
      DesiredService d = e.getValue();
      ServicePlan plan = plans.get(service);
      String reason = plan.demand() == 0 ? null : pendingReason(service, d, now);
      if (reason != null) pendingRows.put(service, new SchedulerMetrics.PendingRow(plan.demand(), reason));
      ServiceProgress p = new ServiceProgress(service, d.deploymentId(), d.version(), d.instances(), plan.running(),
          plan.healthy(), plan.staged(), plan.old(), d.definition().health() != null, plan.done(), plan.demand(), reason,
          lastFailure.get(service), Timestamps.format(now));
      if (p.sameAs(written.get(service))) continue;
      try {
        store.putProgress(p);
        written.put(service, p);
      } catch (EtcdException | FencedException ex) {
        log.warn("failed: writing the progress of {}: {}; trying again", service, ex.getMessage());
      }
    }
    for (String gone : List.copyOf(written.keySet())) {
      if (desired.containsKey(gone)) continue;
      try {
        store.deleteProgress(gone);
        written.remove(gone);
      } catch (EtcdException | FencedException ex) {
        log.warn("failed: deleting the progress of {}: {}", gone, ex.getMessage());
      }
    }
    metrics.pending(pendingRows);
    Map<String, Integer> states = new TreeMap<>();
    for (FrameworkTask t : book.all()) states.merge(t.state(), 1, Integer::sum);
    metrics.states(states);
  }

  private String pendingReason(String service, DesiredService d, Instant now) {
    Duration delay = backoff.remaining(service, d.configVersion(), now);
    if (!delay.isZero()) {
      return "launch delayed " + Math.max(1, delay.toSeconds()) + "s after a failed task (backoff)";
    }
    if (!subscribed) return failed != null ? "not subscribed to Mesos: " + failed : "not subscribed to Mesos yet";
    String reason = unplaced.get(service);
    return reason != null ? reason : "waiting for offers";
  }

  private void publish() {
    snapshot = new Snapshot(Map.copyOf(desired), List.copyOf(book.all()), desiredLoaded, subscribed, offers.size(),
        reconciliation.unanswered(), Map.copyOf(written));
  }

  /** A status update's time (seconds since the epoch, as a double); now when it has none. */
  private Instant time(double seconds) {
    return seconds > 0 ? Instant.ofEpochSecond(0, Math.round(seconds * 1e9)) : clock.instant();
  }

  /** Stops handling inputs; the connection belongs to the caller (close it first). */
  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
