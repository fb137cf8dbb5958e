package mdo.marathon;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import mdo.marathon.events.MarathonEvent.AppsChanged;
import mdo.marathon.events.MarathonEvent.StepAction;
import mdo.marathon.events.TaskIds;

/**
 * Which instances Marathon is stopping, from what plain Marathon sends. {@code TASK_KILLING} and the {@code Killing}
 * condition come only with {@code --enable_features task_killing} (DC/OS turns it on, plain Marathon does not); without
 * it a task being killed shows {@code TASK_RUNNING} until {@code TASK_KILLED}. What plain Marathon does tell:
 *
 * <ul>
 *   <li>1.8+: an {@code instance_changed_event} when an instance's goal changes (to stopped or decommissioned), with
 *       its condition unchanged ({@code InstanceChangedEventsGenerator}): a second event with the condition the
 *       instance already had. It comes for every kill Marathon decides: scale-downs, rolling replacements, kills.
 *   <li>every release: the deployment step it runs for an app ({@code deployment_info}). {@code StopApplication} stops
 *       every instance, {@code KillAllOldTasksOf} (old plans) every one of an older configuration, and
 *       {@code ScaleApplication}, where more instances run than the app wants, the ones Marathon picks
 *       ({@code ScalingProposition}: unreachable, staging, starting first, then by {@code killSelection}) when the
 *       scale came from a change of the app through the API ({@code api_post_event}: what launcher and updater send)
 *       and no {@code GROUP_BY} constraint steers the choice. A kill with {@code scale=true} names its own victims,
 *       which no event tells, so it is left alone: the registry keeps a draining mark until the task ends.
 * </ul>
 *
 * <p>Marathon-run health checks announce their kills with {@code unhealthy_instance_kill_event} (the view marks those);
 * mdo's checks are run by Mesos, which kills without one. Everything is forgotten when the instance ends, or when a
 * listing taken after it was learnt no longer shows it (a listing taken before knows less than the event, since events
 * and listings are applied concurrently).
 */
final class Draining {
  private static final String SCALE = "ScaleApplication";
  private static final String STOP = "StopApplication";
  private static final String KILL_OLD = "KillAllOldTasksOf";

  /** What was learnt about an app or instance, and when ({@link System#nanoTime()}). */
  private record Learnt(String appId, String value, long at) {}

  private final Map<String, Learnt> conditions = new ConcurrentHashMap<>(); // instance id -> its last condition
  private final Map<String, Learnt> stopping = new ConcurrentHashMap<>(); // instance id -> being stopped
  private final Map<String, Learnt> steps = new ConcurrentHashMap<>(); // app id -> the action its deployment runs
  private final Map<String, Learnt> changedByApi = new ConcurrentHashMap<>(); // app id -> changed through /v2/apps

  /** An {@code instance_changed_event} with a live condition; true when it tells that the instance is being stopped. */
  boolean condition(String appId, String instanceId, String condition) {
    Learnt previous = conditions.put(instanceId, new Learnt(appId, condition, System.nanoTime()));
    if (previous == null || !previous.value().equals(condition)) return false;
    stopping.put(instanceId, new Learnt(appId, condition, System.nanoTime()));
    return true;
  }

  /** The instance's task ended: nothing about it is kept. */
  void ended(String instanceId) {
    conditions.remove(instanceId);
    stopping.remove(instanceId);
  }

  boolean stopping(String instanceId) {
    return stopping.containsKey(instanceId);
  }

  /** A deployment event: the step an app's deployment runs, from its start to its end. */
  void deployment(AppsChanged e) {
    long now = System.nanoTime();
    switch (e.type()) {
      case "deployment_info" -> e.actions().forEach(a -> steps.put(a.app(), new Learnt(a.app(), a.action(), now)));
      case "deployment_step_success", "deployment_step_failure" -> e.actions().forEach((StepAction a) ->
          steps.computeIfPresent(a.app(), (app, step) -> step.value().equals(a.action()) ? null : step));
      case "api_post_event" -> e.appIds().forEach(app -> changedByApi.put(app, new Learnt(app, e.type(), now)));
      case "deployment_success", "deployment_failed" -> e.appIds().forEach(app -> {
        steps.remove(app);
        changedByApi.remove(app);
      });
      default -> { }
    }
  }

  /**
   * The ids of {@code tasks} (the app's tasks as listed) that Marathon is stopping. What the listing, read from
   * {@code listedAt} on, shows over is forgotten: an app without a deployment runs no step, instances not listed ended.
   */
  Set<String> stopping(MarathonApp app, List<MarathonTask> tasks, long listedAt) {
    Set<String> listed = new HashSet<>();
    for (MarathonTask t : tasks) listed.add(TaskIds.instanceId(t.id()));
    Predicate<Map.Entry<String, Learnt>> over = e -> e.getValue().appId().equals(app.id())
        && e.getValue().at() - listedAt < 0 && !listed.contains(e.getKey());
    conditions.entrySet().removeIf(over);
    stopping.entrySet().removeIf(over);
    if (app.deploymentIds().isEmpty()) {
      steps.computeIfPresent(app.id(), (id, step) -> step.at() - listedAt < 0 ? null : step);
      changedByApi.computeIfPresent(app.id(), (id, change) -> change.at() - listedAt < 0 ? null : change);
    }

    Set<String> out = new HashSet<>();
    for (MarathonTask t : tasks) {
      if (stopping.containsKey(TaskIds.instanceId(t.id()))) out.add(t.id());
    }
    Learnt learnt = steps.get(app.id());
    String step = learnt == null ? null : learnt.value();
    if (STOP.equals(step)) {
      tasks.forEach(t -> out.add(t.id()));
    } else if (KILL_OLD.equals(step)) {
      String config = app.json().path("versionInfo").path("lastConfigChangeAt").asText(app.version());
      for (MarathonTask t : tasks) {
        if (t.version() != null && config != null && t.version().compareTo(config) < 0) out.add(t.id());
      }
    } else if (SCALE.equals(step) && changedByApi.containsKey(app.id()) && !groupedBy(app)) {
      scaledDown(app, tasks).forEach(t -> out.add(t.id()));
    }
    return out;
  }

  /** {@code GROUP_BY} makes Marathon choose whom to kill by spread ({@code Constraints.selectInstancesToKill}). */
  private static boolean groupedBy(MarathonApp app) {
    for (JsonNode c : app.json().path("constraints")) {
      if ("GROUP_BY".equalsIgnoreCase(c.path(1).asText())) return true;
    }
    return false;
  }

  /** The tasks a scale-down kills, chosen as {@code ScalingProposition.propose} chooses them. */
  static List<MarathonTask> scaledDown(MarathonApp app, List<MarathonTask> tasks) {
    long killing = tasks.stream().filter(t -> "TASK_KILLING".equals(t.state())).count();
    int excess = (int) (tasks.size() - killing - app.instances());
    if (excess <= 0) return List.of();
    boolean oldestFirst = "OLDEST_FIRST".equals(app.json().path("killSelection").asText());
    List<MarathonTask> ordered = new ArrayList<>(tasks);
    ordered.sort(Comparator.comparingInt(Draining::weight).thenComparing((a, b) -> {
      String x = since(a);
      String y = since(b);
      if (x == null || y == null) return x == null ? (y == null ? 0 : -1) : 1; // unknown start goes first
      return oldestFirst ? x.compareTo(y) : y.compareTo(x);
    }));
    return ordered.subList(0, Math.min(excess, ordered.size()));
  }

  /** Lower goes first: {@code ScalingProposition.weight}. */
  private static int weight(MarathonTask t) {
    return switch (t.state() == null ? "" : t.state()) {
      case "TASK_UNREACHABLE" -> 1;
      case "TASK_STAGING" -> 2;
      case "TASK_STARTING" -> 3;
      case "TASK_RUNNING" -> 4;
      default -> 5;
    };
  }

  /** When it started (staged, for tasks not running yet): what {@code killSelection} compares. */
  private static String since(MarathonTask t) {
    return "TASK_STAGING".equals(t.state()) || "TASK_STARTING".equals(t.state()) || t.startedAt() == null
        ? t.stagedAt() : t.startedAt();
  }
}
