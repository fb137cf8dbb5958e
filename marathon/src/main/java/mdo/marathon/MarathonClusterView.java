package mdo.marathon;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import mdo.cluster.AppListing;
import mdo.cluster.ClusterView;
import mdo.cluster.Labels;
import mdo.cluster.TaskObservation;
import mdo.cluster.TaskObservation.Health;
import mdo.marathon.events.MarathonEvent;
import mdo.marathon.events.MarathonEvent.AppsChanged;
import mdo.marathon.events.MarathonEvent.InstanceCondition;
import mdo.marathon.events.MarathonEvent.InstanceHealth;
import mdo.marathon.events.MarathonEvent.TaskStatus;
import mdo.marathon.events.MarathonEvent.UnhealthyKill;
import mdo.marathon.events.TaskIds;
import mdo.registry.PortMapping;
import mdo.registry.writer.RegistryWriter;
import mdo.registry.writer.RegistryWriter.Outcome;
import mdo.registry.writer.RegistryWriter.Received;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marathon as the registry writer sees it: listings of the environment's mdo apps (labelled {@link Labels#SERVICE} and
 * {@link Labels#ENVIRONMENT}) and their tasks, and events, all turned into {@link TaskObservation}s. Ports are named
 * from the definition of the app version a task runs, fetched once per version. An instance Marathon is stopping is
 * marked draining ({@link Draining}), in events and listings alike.
 */
public final class MarathonClusterView implements ClusterView {
  private static final Logger log = LoggerFactory.getLogger(MarathonClusterView.class);
  /** Instance conditions after which the instance is gone (API.md §1.4). */
  private static final Set<String> TERMINAL_CONDITIONS = Set.of("Error", "Failed", "Finished", "Killed", "Gone",
      "Dropped", "Unknown");

  private final MarathonClient marathon;
  private final String environment;
  private final AppDefinitionCache definitions;
  private final Draining draining = new Draining();

  public MarathonClusterView(MarathonClient marathon, String environment) {
    this.marathon = marathon;
    this.environment = environment;
    this.definitions = new AppDefinitionCache(marathon);
  }

  /** An event with the {@link System#nanoTime()} it arrived at. */
  public record ReceivedEvent(MarathonEvent event, long receivedNanos) {}

  /** What a batch of events says: observations for the writer, and whether the app must be refetched. */
  public record Translation(List<Received> observations, boolean refresh) {}

  @Override
  public String name() {
    return "Marathon";
  }

  @Override
  public List<AppListing> list() {
    long listedAt = System.nanoTime();
    Map<String, MarathonApp> apps = new LinkedHashMap<>();
    for (MarathonApp app : marathon.listApps(Labels.selector(environment))) {
      if (MdoApps.service(app, environment) == null) continue;
      definitions.listed(app);
      apps.put(app.id(), app);
    }
    Map<String, List<MarathonTask>> tasks = new HashMap<>();
    if (!apps.isEmpty()) {
      for (MarathonTask t : marathon.listTasks(apps::containsKey)) { // other apps' tasks are dropped as they stream in
        tasks.computeIfAbsent(t.appId(), a -> new ArrayList<>()).add(t);
      }
    }
    List<AppListing> out = new ArrayList<>(apps.size());
    for (MarathonApp app : apps.values()) out.add(listing(app, tasks.getOrDefault(app.id(), List.of()), listedAt));
    return out;
  }

  /**
   * What Marathon's launch queue says of this environment's services that wait for instances, by service: why they
   * are short (offers declined, a launch delay), for people reading {@code /info}.
   */
  public Map<String, Waiting> waiting() {
    Map<String, Waiting> out = new TreeMap<>();
    for (JsonNode entry : marathon.queue()) {
      String service = MdoApps.service(MarathonApp.from(entry.path("app")), environment);
      if (service != null) out.put(service, Waiting.from(entry));
    }
    return out;
  }

  @Override
  public Optional<AppListing> app(String appId) {
    long listedAt = System.nanoTime();
    Optional<MarathonApp> app = definitions.current(appId);
    if (app.isEmpty()) return Optional.empty();
    List<MarathonTask> tasks;
    try {
      tasks = marathon.appTasks(appId);
    } catch (MarathonException e) {
      if (!e.isNotFound()) throw e;
      tasks = List.of();
    }
    return Optional.of(listing(app.get(), tasks, listedAt));
  }

  /** @param listedAt when reading the listing began ({@link System#nanoTime()}) */
  private AppListing listing(MarathonApp app, List<MarathonTask> tasks, long listedAt) {
    String service = MdoApps.service(app, environment);
    List<TaskObservation.Task> observed = new ArrayList<>(tasks.size());
    if (service != null) {
      List<MarathonTask> withIds = tasks.stream().filter(t -> t.id() != null).toList();
      Set<String> stopping = draining.stopping(app, withIds, listedAt);
      for (MarathonTask t : withIds) observed.add(listed(app, service, t, stopping.contains(t.id())));
    }
    return new AppListing(app.id(), service, app.instances(), observed);
  }

  /** A listed task, its ports named from the version it runs. */
  private TaskObservation.Task listed(MarathonApp listedApp, String service, MarathonTask t, boolean stopping) {
    MarathonApp app = versionOf(listedApp, t.version());
    List<String> ips = t.ipAddresses().stream().map(MarathonTask.IpAddress::ipAddress).toList();
    String host = host(app, t.host(), ips);
    String state = t.state() == null ? "TASK_RUNNING" : t.state();
    Health health = !app.hasHealthChecks() ? Health.NO_CHECKS
        : Boolean.TRUE.equals(t.healthy()) ? Health.HEALTHY : Health.UNHEALTHY;
    return new TaskObservation.Task(service, listedApp.id(), t.id(), TaskIds.instanceId(t.id()),
        TaskIds.incarnation(t.id()), host, ports(app, t.ports(), !ips.isEmpty() && host.equals(ips.get(0))),
        app.labels(), state, health, stopping || "TASK_KILLING".equals(state),
        t.version() != null ? t.version() : app.version(),
        t.slaveId(), t.startedAt(), t.stagedAt(), null);
  }

  /** The definition of the version the task runs (ports are named from it); the current one if Marathon lost it. */
  private MarathonApp versionOf(MarathonApp current, String version) {
    if (version == null || version.equals(current.version())) return current;
    try {
      return definitions.get(current.id(), version).orElse(current);
    } catch (MarathonUnavailableException | MarathonException e) {
      return current;
    }
  }

  /**
   * Turns one app's events into observations, oldest first. Events that carry too little (deployments, app changes,
   * health of one of several checks) ask for a refresh instead; those that carry nothing for the registry are counted
   * on {@code counted} as ignored.
   */
  public Translation observations(String appId, List<ReceivedEvent> events, RegistryWriter.Observer counted) {
    List<ReceivedEvent> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparing(r -> r.event().timestamp()));
    boolean refresh = false;
    List<Received> out = new ArrayList<>(sorted.size());
    for (ReceivedEvent r : sorted) {
      MarathonEvent e = r.event();
      Outcome skipped;
      if (e instanceof AppsChanged changed) {
        draining.deployment(changed);
        skipped = Outcome.REFRESH;
      } else if (!(e instanceof TaskStatus || e instanceof InstanceCondition || e instanceof InstanceHealth
          || e instanceof UnhealthyKill)) {
        skipped = Outcome.IGNORED;
      } else {
        skipped = observe(appId, r, out);
      }
      if (skipped != null) {
        refresh |= skipped == Outcome.REFRESH || skipped == Outcome.FAILED;
        counted.eventApplied(e.type(), skipped, r.receivedNanos());
      }
    }
    return new Translation(out, refresh);
  }

  /** Adds the event's observation to {@code out}; returns why there is none, or null. */
  private Outcome observe(String appId, ReceivedEvent r, List<Received> out) {
    MarathonEvent e = r.event();
    Optional<MarathonApp> found;
    try {
      found = definitions.get(appId, version(e));
    } catch (MarathonUnavailableException | MarathonException ex) {
      log.warn("skipped: {} for {}: app definition unavailable ({})", e.type(), appId, ex.getMessage());
      return Outcome.FAILED;
    }
    if (found.isEmpty()) return Outcome.REFRESH; // the app is gone: only a refresh can confirm and clean up
    MarathonApp app = found.get();
    String service = MdoApps.service(app, environment);
    if (service == null) return Outcome.IGNORED;
    TaskObservation observation = null;
    if (e instanceof TaskStatus s) {
      observation = status(s, app, service);
    } else if (e instanceof InstanceCondition c) {
      observation = condition(c, service);
    } else if (e instanceof InstanceHealth h) {
      observation = health(h, app, service);
    } else if (e instanceof UnhealthyKill k) {
      observation = new TaskObservation.Instance(service, k.appId(), k.instanceId(), false, true, false, k.timestamp());
    }
    if (observation == null) {
      return e instanceof InstanceHealth h && Boolean.TRUE.equals(h.healthy()) ? Outcome.REFRESH : Outcome.IGNORED;
    }
    out.add(new Received(observation, e.type(), r.receivedNanos()));
    return null;
  }

  private TaskObservation status(TaskStatus e, MarathonApp app, String service) {
    if (TaskObservation.TERMINAL_STATES.contains(e.taskStatus())) draining.ended(e.instanceId());
    String host = host(app, e.host(), e.ipAddresses());
    boolean onTaskIp = !e.ipAddresses().isEmpty() && host.equals(e.ipAddresses().get(0));
    return new TaskObservation.Task(service, e.appId(), e.taskId(), e.instanceId(), TaskIds.incarnation(e.taskId()),
        host, ports(app, e.ports(), onTaskIp), app.labels(), e.taskStatus(),
        app.hasHealthChecks() ? Health.UNKNOWN : Health.NO_CHECKS,
        "TASK_KILLING".equals(e.taskStatus()) || draining.stopping(e.instanceId()),
        e.appVersion() != null ? e.appVersion() : app.version(),
        e.agentId() == null || e.agentId().isBlank() ? null : e.agentId(), null, null, e.timestamp());
  }

  /**
   * Null for conditions that say nothing new (Running, Staging...: the status_update_event before it did), unless the
   * same condition comes again: then the instance's goal changed, it is being stopped ({@link Draining}).
   */
  private TaskObservation condition(InstanceCondition e, String service) {
    String condition = e.condition().trim();
    if ("unknown_instance_terminated_event".equals(e.type()) || TERMINAL_CONDITIONS.contains(condition)) {
      draining.ended(e.instanceId());
      return new TaskObservation.Instance(service, e.appId(), e.instanceId(), null, null, true, e.timestamp());
    }
    if (draining.condition(e.appId(), e.instanceId(), condition)) {
      return new TaskObservation.Instance(service, e.appId(), e.instanceId(), null, true, false, e.timestamp());
    }
    return switch (condition) {
      case "Killing" -> new TaskObservation.Instance(service, e.appId(), e.instanceId(), null, true, false,
          e.timestamp());
      case "Unreachable", "UnreachableInactive" -> new TaskObservation.Instance(service, e.appId(), e.instanceId(),
          false, null, false, e.timestamp());
      default -> null;
    };
  }

  /** Null when the event says nothing, or only that one of several checks passed (which says nothing of the others). */
  private static TaskObservation health(InstanceHealth e, MarathonApp app, String service) {
    Boolean healthy = e.healthy();
    if (healthy == null) return null;
    boolean oneCheck = "instance_health_changed_event".equals(e.type()) || app.json().path("healthChecks").size() <= 1;
    if (healthy && !oneCheck) return null;
    return new TaskObservation.Instance(service, e.appId(), e.instanceId(), healthy, null, false, e.timestamp());
  }

  private static String version(MarathonEvent e) {
    if (e instanceof TaskStatus t) return t.appVersion();
    if (e instanceof InstanceCondition c) return c.appVersion();
    if (e instanceof InstanceHealth h) return h.appVersion();
    return null;
  }

  /** Where the task's ports are reachable: the agent, or the task's own IP on a container network without host ports. */
  static String host(MarathonApp app, String agentHost, List<String> ips) {
    boolean anyHostPort = app.ports().stream().anyMatch(p -> p.hasHostPort(app.hostNetworking()));
    if (!app.ports().isEmpty() && !anyHostPort && !ips.isEmpty()) return ips.get(0);
    return agentHost == null || agentHost.isBlank() ? "unknown" : agentHost;
  }

  /**
   * Names the task's host ports from the app definition. A task's {@code ports} lists host ports only for the port
   * mappings that have one, in declaration order (API.md trip-up #3), so it is walked alongside the definitions rather
   * than indexed. Ports beyond the definitions are named {@code port<i>}.
   */
  static Map<String, PortMapping> ports(MarathonApp app, List<Integer> hostPorts, boolean onTaskIp) {
    Map<String, PortMapping> named = new LinkedHashMap<>();
    Iterator<Integer> host = hostPorts.iterator();
    int index = 0;
    for (AppPort p : app.ports()) {
      if (p.hasHostPort(app.hostNetworking())) {
        if (!host.hasNext()) break;
        int hp = host.next();
        int cp = app.hostNetworking() || p.containerPort() == 0 ? hp : p.containerPort();
        named.put(p.name(), new PortMapping(hp, cp, p.protocol()));
      } else if (onTaskIp && p.containerPort() > 0) {
        named.put(p.name(), new PortMapping(p.containerPort(), p.containerPort(), p.protocol()));
      }
      index++;
    }
    while (host.hasNext()) {
      int hp = host.next();
      String name = "port" + index++;
      named.putIfAbsent(name, new PortMapping(hp, hp, "tcp"));
    }
    return named;
  }
}
