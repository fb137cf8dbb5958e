package mdo.devcluster.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.UUID;
import mdo.devcluster.events.Events;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs deployments step by step: {@code deployment_info} when a step starts, {@code deployment_step_success} when
 * its app has settled, {@code deployment_success} after the last step. A RestartApplication step starts the app's
 * {@link Upgrade} when it begins and ends it when it ends. A step settles when exactly the wanted number of instances
 * run (and are healthy, if checked) and nothing else of the app is left; for a restart they must all run the current
 * definition.
 */
final class Deployer {
  private static final Logger log = LoggerFactory.getLogger(Deployer.class);
  private final State state;

  Deployer(State state) {
    this.state = state;
  }

  Deployment start(String version, String appId, List<String> actions, ObjectNode original) {
    Deployment d = new Deployment(UUID.randomUUID().toString(), version, appId, actions, original);
    state.deployments.put(d.id, d);
    log.info("deploying: {} {} {}", d.id, appId, actions);
    return d;
  }

  /** Fails (and forgets) every deployment of the app: superseded by a forced change, or the app was deleted. */
  void failAll(String appId, String reason) {
    for (Deployment d : state.deploymentsOf(appId)) fail(d, reason);
  }

  void fail(Deployment d, String reason) {
    state.deployments.remove(d.id);
    endUpgrade(d);
    log.info("failed: deployment {} {} ({})", d.id, d.appId, reason);
    state.bus.publish(Events.deploymentFailed(d.id, d.plan(), reason));
  }

  /** Advances every deployment as far as it can go now; runs after each reconcile pass. */
  void progress() {
    for (Deployment d : List.copyOf(state.deployments.values())) {
      if (d.currentStep == 0) begin(d);
      while (state.deployments.containsKey(d.id) && settled(d)) {
        String action = d.currentAction();
        if (action.equals("StopApplication")) state.bus.publish(Events.appTerminated(d.appId));
        state.bus.publish(Events.deploymentStepSuccess(d.plan(), d.step(action)));
        if (d.currentStep == d.actions.size()) {
          finish(d);
        } else {
          d.currentStep++;
          startStep(d);
        }
      }
    }
  }

  private void begin(Deployment d) {
    if (d.actions.isEmpty()) {
      finish(d);
      return;
    }
    d.currentStep = 1;
    startStep(d);
  }

  private void startStep(Deployment d) {
    state.bus.publish(Events.deploymentInfo(d.plan(), d.step(d.currentAction())));
    AppState app = state.apps.get(d.appId);
    if (d.currentAction().equals("RestartApplication") && app != null && app.upgrade != null
        && app.upgrade.deploymentId.equals(d.id)) {
      app.upgrade.begin(app.spec, app.spec.configVersion(), state.instancesOf(d.appId));
    }
  }

  /** The restart this deployment drove stops with it (TaskReplaceActor stops with its deployment). */
  private void endUpgrade(Deployment d) {
    AppState app = state.apps.get(d.appId);
    if (app != null && app.upgrade != null && app.upgrade.deploymentId.equals(d.id)) app.upgrade = null;
  }

  private void finish(Deployment d) {
    state.deployments.remove(d.id);
    endUpgrade(d);
    log.info("deployed: {} {}", d.id, d.appId);
    state.bus.publish(Events.deploymentSuccess(d.id, d.plan()));
  }

  private boolean settled(Deployment d) {
    String action = d.currentAction();
    if (action == null) return false;
    if (action.equals("StartApplication")) return true;
    if (action.equals("StopApplication")) return state.instancesOf(d.appId).isEmpty();
    AppState app = state.apps.get(d.appId);
    if (app == null) return false;
    boolean restart = action.equals("RestartApplication");
    int ready = 0;
    for (Instance i : state.instancesOf(d.appId)) {
      boolean current = i.spec.configVersion().equals(app.spec.configVersion());
      if ((restart && !current) || i.goal == Instance.Goal.STOP || i.killing()) return false;
      if (i.ready()) ready++;
    }
    return ready == app.spec.instances() && state.instancesOf(d.appId).size() == ready;
  }
}
