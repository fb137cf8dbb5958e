package mdo.devcluster.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import mdo.command.DaemonThreads;
import mdo.devcluster.ApiException;
import mdo.devcluster.Json;
import mdo.devcluster.MarathonFlags;
import mdo.devcluster.Settings;
import mdo.devcluster.apps.AppRequests;
import mdo.devcluster.apps.PathIds;
import mdo.devcluster.events.EventBus;
import mdo.devcluster.events.Events;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dev cluster's state machine. Every operation runs on one actor thread, so apps, instances and deployments
 * change in one order; HTTP handlers wait for the answer. Process exits and health verdicts are posted back to the
 * same thread. A tick every {@value #TICK_MILLIS} ms handles timers (backoff, kill grace).
 */
public final class Cluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Cluster.class);
  static final long TICK_MILLIS = 200;

  /** What a deployment-creating call returns: {@code {"deploymentId","version"}} and whether it created the app. */
  public record DeploymentResult(String deploymentId, String version, boolean created, ObjectNode app) {
    public ObjectNode body() {
      return Json.object().put("deploymentId", deploymentId).put("version", version);
    }
  }

  private final ScheduledExecutorService actor;
  private final ScheduledExecutorService checkers;
  private final State state;
  private final Scheduler scheduler;
  private final Deployer deployer;
  private final Views views;
  private final ServicePorts servicePorts = new ServicePorts();
  private final AppRequests definitions;

  public Cluster(Settings settings, EventBus bus) {
    this.actor = Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory("devcluster-actor"));
    this.checkers = Executors.newScheduledThreadPool(4, DaemonThreads.factory("devcluster-health"));
    this.state = new State(settings, bus, actor);
    this.definitions = new AppRequests(settings.marathon());
    this.scheduler = new Scheduler(state, new PortAllocator(settings.agentPorts()),
        new TaskLauncher(settings.stateDir(), settings.containerEngines()));
    this.scheduler.health(new HealthMonitor(state, scheduler, checkers, new HealthProbes()));
    this.deployer = new Deployer(state);
    this.views = new Views(state);
    actor.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Deployments start (deployment_info) before the tasks they change move, as in Marathon. */
  private void tick() {
    try {
      deployer.progress();
      scheduler.reconcile();
      deployer.progress();
    } catch (RuntimeException e) {
      log.error("reconcile failed", e);
    }
  }

  /** Runs a change on the actor, then reconciles, so it takes effect before the caller sees the answer. */
  private <T> T call(Callable<T> operation) {
    return onActor(() -> {
      T result = operation.call();
      tick();
      return result;
    });
  }

  /** Reads on the actor, so the answer is one consistent snapshot. */
  private <T> T query(Callable<T> operation) {
    return onActor(operation);
  }

  private <T> T onActor(Callable<T> operation) {
    Future<T> future = actor.submit(operation);
    try {
      return future.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("the dev cluster did not answer within 30 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  // ---- apps

  /** {@code POST /v2/apps}: the body is validated off the actor; the app answers with its counts and deployment. */
  public ObjectNode createApp(JsonNode body, String clientIp, String uri) {
    ObjectNode canonical = definitions.create(body);
    return call(() -> {
      String id = canonical.get("id").asText();
      checkDeploymentLimit(id);
      if (state.apps.containsKey(id)) {
        throw ApiException.message(409, "An app with id [" + id + "] already exists.");
      }
      DeploymentResult result = store(null, canonical, clientIp, uri);
      return views.app(state.apps.get(result.app().get("id").asText()), false, false);
    });
  }

  /** PUT (creates when missing, unless {@code mayCreate} is false as for PATCH) or a rollback to a stored version. */
  public DeploymentResult updateApp(String appId, JsonNode body, boolean partial, boolean force, boolean mayCreate,
                                    String clientIp, String uri) {
    return call(() -> {
      AppState existing = state.apps.get(appId);
      String rollback = AppRequests.rollbackVersion(body);
      if (existing == null) {
        if (!mayCreate || rollback != null) throw ApiException.appNotFound(appId);
        ObjectNode created = definitions.createAt(appId, body);
        checkDeploymentLimit(appId);
        return store(null, created, clientIp, uri);
      }
      ObjectNode canonical;
      if (rollback != null) {
        canonical = existing.versions.stream().filter(v -> v.path("version").asText().equals(rollback)).findFirst()
            .map(ObjectNode::deepCopy)
            .orElseThrow(() -> ApiException.message(404, "App '" + appId + "' does not exist in version " + rollback));
      } else {
        canonical = definitions.update(existing.app, appId, body, partial);
      }
      checkDeploymentLimit(appId);
      checkLock(appId, force);
      return store(existing, canonical, clientIp, uri);
    });
  }

  public DeploymentResult restartApp(String appId, boolean force) {
    return call(() -> {
      AppState existing = requireApp(appId);
      checkDeploymentLimit(appId);
      checkLock(appId, force);
      ObjectNode app = existing.app.deepCopy();
      String version = state.nextVersion();
      app.put("version", version);
      ((ObjectNode) app.get("versionInfo")).put("lastConfigChangeAt", version);
      existing.set(app);
      existing.launchFailures = 0;
      state.touchGroups(appId, version);
      state.bus.publish(Events.groupChangeSuccess(PathIds.parent(appId), version));
      Deployment d = deployer.start(version, appId, List.of("RestartApplication"), existing.versions.get(
          existing.versions.size() - 2));
      existing.upgrade = new Upgrade(d.id);
      return new DeploymentResult(d.id, version, false, null);
    });
  }

  /** DELETE defaults to force=true in Marathon: running deployments of the app fail instead of blocking. */
  public DeploymentResult deleteApp(String appId, boolean force) {
    return call(() -> {
      AppState existing = requireApp(appId);
      checkDeploymentLimit(appId);
      if (!force) checkLock(appId, false);
      return remove(existing);
    });
  }

  private DeploymentResult remove(AppState existing) {
    String appId = existing.id();
    deployer.failAll(appId, "The app " + appId + " was deleted");
    state.apps.remove(appId);
    servicePorts.release(appId);
    String version = state.nextVersion();
    state.touchGroups(appId, version);
    state.bus.publish(Events.groupChangeSuccess(PathIds.parent(appId), version));
    // The next reconcile pass kills the app's tasks, after the StopApplication step has started.
    Deployment d = deployer.start(version, appId, List.of("StopApplication"), existing.app);
    log.info("deleted: {}", appId);
    return new DeploymentResult(d.id, version, false, null);
  }

  private AppState requireApp(String appId) {
    AppState app = state.apps.get(appId);
    if (app == null) throw ApiException.appNotFound(appId);
    return app;
  }

  /**
   * Every root-group update first counts the running deployments ({@code GroupManagerImpl.checkMaxRunningDeployments},
   * 1.5+), forced or not; over the limit it fails with 403 and a {@code group_change_failed} event.
   */
  private void checkDeploymentLimit(String appId) {
    MarathonFlags flags = state.settings.marathon();
    if (!flags.limitsDeployments() || state.deployments.size() < flags.maxRunningDeployments()) return;
    int max = flags.maxRunningDeployments();
    String message = flags.version().atLeast(7)
        ? "Max number (" + max + ") of running deployments is achieved. Wait for existing deployments to complete or"
            + " cancel oneusing force=true parameter. You can increase max deployment number by using"
            + " --max_running_deployments parameter but be advised that this can have negative effects on the"
            + " performance."
        : "Max number (" + max + ") of running deployments is achieved. Wait for existing deployments to complete or"
            + " cancel one.You can increase max deployment number by using --max_running_deployments parameter but be"
            + " advised that this can have negative effects on the performance.";
    state.bus.publish(Events.groupChangeFailed(PathIds.parent(appId), state.nextVersion(), message));
    throw ApiException.message(403, message);
  }

  private void checkLock(String appId, boolean force) {
    List<Deployment> locking = state.deploymentsOf(appId);
    if (locking.isEmpty()) return;
    if (force) {
      deployer.failAll(appId, "superseded by a forced change of " + appId);
      return;
    }
    ObjectNode body = Json.object();
    body.put("message", "App is locked by one or more deployments. Override with the option '?force=true'."
        + " View details at '/v2/deployments/<DEPLOYMENT_ID>'.");
    ArrayNode ids = body.putArray("deployments");
    locking.forEach(d -> ids.addObject().put("id", d.id));
    throw new ApiException(409, body);
  }

  /**
   * Stores a new definition and starts its deployment: create = Start + Scale; only {@code instances} changed =
   * ScaleApplication (no restarts); anything else = RestartApplication (rolling replacement); nothing = no steps.
   */
  private DeploymentResult store(AppState existing, ObjectNode canonical, String clientIp, String uri) {
    String appId = canonical.get("id").asText();
    servicePorts.assign(appId, canonical);
    String version = state.nextVersion();
    List<String> actions;
    String configVersion = version;
    if (existing == null) {
      actions = List.of("StartApplication", "ScaleApplication");
    } else {
      ObjectNode before = definitionOnly(existing.app);
      ObjectNode after = definitionOnly(canonical);
      boolean sameExceptScale = withoutInstances(before).equals(withoutInstances(after));
      if (before.equals(after)) {
        actions = List.of();
      } else if (sameExceptScale) {
        actions = List.of("ScaleApplication");
      } else {
        actions = List.of("RestartApplication");
      }
      if (sameExceptScale) configVersion = existing.spec.configVersion();
    }
    canonical.put("version", version);
    ObjectNode versionInfo = canonical.putObject("versionInfo");
    versionInfo.put("lastScalingAt", version);
    versionInfo.put("lastConfigChangeAt", configVersion);
    ObjectNode original = existing == null ? null : existing.app;
    AppState app;
    if (existing == null) {
      app = new AppState(canonical);
      state.apps.put(appId, app);
    } else {
      app = existing;
      app.set(canonical);
      if (!actions.equals(List.of("ScaleApplication")) && !actions.isEmpty()) app.launchFailures = 0;
    }
    state.bus.publish(Events.apiPost(clientIp, uri, canonical.deepCopy()));
    state.touchGroups(appId, version);
    state.bus.publish(Events.groupChangeSuccess(PathIds.parent(appId), version));
    Deployment d = deployer.start(version, appId, actions, original);
    if (actions.contains("RestartApplication")) app.upgrade = new Upgrade(d.id);
    log.info("{}: {} version {}", existing == null ? "created" : "updated", appId, version);
    return new DeploymentResult(d.id, version, existing == null, canonical);
  }

  private static ObjectNode definitionOnly(ObjectNode app) {
    ObjectNode copy = app.deepCopy();
    copy.remove("version");
    copy.remove("versionInfo");
    return copy;
  }

  private static ObjectNode withoutInstances(ObjectNode app) {
    ObjectNode copy = app.deepCopy();
    copy.remove("instances");
    return copy;
  }

  public ObjectNode app(String appId) {
    return query(() -> views.app(requireApp(appId), true, true));
  }

  public ArrayNode versions(String appId) {
    return query(() -> {
      ArrayNode out = Json.array();
      List<ObjectNode> versions = new ArrayList<>(requireApp(appId).versions);
      for (int i = versions.size() - 1; i >= 0; i--) out.add(versions.get(i).path("version").asText());
      return out;
    });
  }

  public ObjectNode appVersion(String appId, String version) {
    return query(() -> requireApp(appId).versions.stream()
        .filter(v -> v.path("version").asText().equals(version)).findFirst().map(ObjectNode::deepCopy)
        .orElseThrow(() -> ApiException.message(404, "App '" + appId + "' does not exist in version " + version)));
  }

  /** Apps matching the filter, with tasks / lastTaskFailure when embedded. */
  public ArrayNode apps(Predicate<ObjectNode> filter, boolean withTasks, boolean withLastFailure) {
    return query(() -> {
      ArrayNode out = Json.array();
      for (AppState app : state.apps.values()) {
        if (filter.test(app.app)) out.add(views.app(app, withTasks, withLastFailure));
      }
      return out;
    });
  }

  // ---- tasks

  /** Tasks of one app (404 when unknown) or of all apps ({@code appId == null}). */
  public ArrayNode tasks(String appId, Predicate<String> stateFilter) {
    return query(() -> {
      if (appId != null) requireApp(appId);
      ArrayNode out = Json.array();
      for (Instance i : state.instances.values()) {
        if (i.alive() && (appId == null || i.appId.equals(appId)) && stateFilter.test(i.state)) out.add(views.task(i));
      }
      return out;
    });
  }

  /**
   * Kills tasks. Without {@code scale} the app keeps its instance count, so replacements start; with it the
   * instance count drops and a ScaleApplication deployment is the answer.
   */
  public Object killTasks(String appId, List<String> taskIds, boolean scale, boolean force) {
    return call(() -> {
      List<Instance> victims = new ArrayList<>();
      for (String taskId : taskIds) {
        Instance i = state.byTaskId(taskId);
        if (i == null || !i.alive() || (appId != null && !i.appId.equals(appId))) {
          if (appId != null && taskIds.size() == 1) {
            throw ApiException.message(404, "Task '" + taskId + "' does not exist");
          }
          continue;
        }
        victims.add(i);
      }
      ArrayNode killed = Json.array();
      victims.forEach(v -> killed.add(views.task(v)));
      if (!scale) {
        // The goal stays Running, so the instance is relaunched (TaskKiller.kill without wipe).
        victims.forEach(v -> scheduler.kill(v, "api"));
        return killed;
      }
      DeploymentResult last = null;
      for (String id : victims.stream().map(v -> v.appId).distinct().toList()) {
        AppState app = requireApp(id);
        checkDeploymentLimit(id);
        checkLock(id, force);
        List<Instance> ofApp = victims.stream().filter(v -> v.appId.equals(id)).toList();
        ofApp.forEach(v -> scheduler.stop(v, "scale"));
        ObjectNode scaled = definitionOnly(app.app);
        scaled.put("instances", Math.max(0, app.spec.instances() - ofApp.size()));
        last = store(app, scaled, "127.0.0.1", "/v2/apps" + id + "/tasks");
      }
      return last != null ? last : killed;
    });
  }

  // ---- deployments

  public ArrayNode deployments() {
    return query(() -> {
      ArrayNode out = Json.array();
      state.deployments.values().forEach(d -> out.add(d.view()));
      return out;
    });
  }

  /**
   * {@code force=true}: the deployment just stops (202). Otherwise a revert deployment restores the app as it was
   * before (deleting it, if the deployment created it).
   */
  public DeploymentResult cancelDeployment(String id, boolean force) {
    return call(() -> {
      Deployment d = state.deployments.get(id);
      if (d == null) throw ApiException.message(404, "DeploymentPlan " + id + " does not exist");
      // The revert is a root-group update while the deployment still runs, so it counts against the limit.
      if (!force) checkDeploymentLimit(d.appId);
      deployer.fail(d, "canceled by the user");
      if (force) return null;
      AppState app = state.apps.get(d.appId);
      if (d.original == null) {
        return app == null ? null : remove(app);
      }
      ObjectNode original = definitionOnly(d.original);
      if (app == null) return store(null, original, "127.0.0.1", "/v2/deployments/" + id);
      return store(app, original, "127.0.0.1", "/v2/deployments/" + id);
    });
  }

  // ---- launch queue and groups

  /** {@code GET /v2/queue}: every app with instances waiting to be launched. */
  public ObjectNode queue(boolean withLastUnusedOffers) {
    return query(() -> {
      Instant now = Instant.now();
      ObjectNode out = Json.object();
      ArrayNode queue = out.putArray("queue");
      for (AppState app : state.apps.values()) {
        List<Instance> queued = queued(app);
        if (!queued.isEmpty()) queue.add(views.queueEntry(app, queued, withLastUnusedOffers, now));
      }
      return out;
    });
  }

  /** {@code DELETE /v2/queue/<app>/delay}: relaunch now; 404 when nothing of the app waits to be launched. */
  public void resetDelay(String appId) {
    call(() -> {
      AppState app = state.apps.get(appId);
      List<Instance> queued = app == null ? List.of() : queued(app);
      if (queued.isEmpty()) throw ApiException.message(404, "Application " + appId + " not found in tasks queue.");
      Instant now = Instant.now();
      queued.forEach(i -> i.relaunchAt = now);
      app.launchFailures = 0;
      app.nextOfferAt = Instant.EPOCH;
      log.info("reset: launch delay of {}", appId);
      return null;
    });
  }

  private List<Instance> queued(AppState app) {
    return state.instancesOf(app.id()).stream().filter(i -> i.goal == Instance.Goal.RUN && i.waiting()).toList();
  }

  /** {@code GET /v2/groups[/<id>]}; 404 {@code Group '<id>' does not exist}. */
  public ObjectNode group(String groupId, boolean withApps, boolean withGroups) {
    return query(() -> {
      if (!state.groups.containsKey(groupId)) {
        throw ApiException.message(404, "Group '" + groupId + "' does not exist");
      }
      return views.group(groupId, withApps, withGroups);
    });
  }

  public int runningTasks() {
    return query(() -> (int) state.instances.values().stream().filter(Instance::alive).count());
  }

  public String agentId() {
    return state.agentId;
  }

  /** Stops every task (SIGTERM, SIGKILL after the grace period) and the threads. */
  @Override
  public void close() {
    Duration grace = state.settings.defaultKillGrace().plusSeconds(2);
    try {
      Future<?> stopped = actor.submit(() -> scheduler.stopAll(grace));
      stopped.get(grace.toMillis() + 10_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("stopping tasks failed: {}", e.toString());
    }
    checkers.shutdownNow();
    actor.shutdownNow();
  }
}
