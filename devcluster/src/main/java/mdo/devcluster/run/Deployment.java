package mdo.devcluster.run;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import mdo.devcluster.Json;

/**
 * A deployment of one app: a list of steps of one action each ({@code StartApplication}, {@code ScaleApplication},
 * {@code RestartApplication}, {@code StopApplication}). {@code currentStep} is 1-based and 0 before the first step
 * starts, as in Marathon's DeploymentManager.
 *
 * @param original the app before this deployment (null when it created the app), for a revert
 */
final class Deployment {
  final String id;
  final String version;
  final String appId;
  final List<String> actions;
  final ObjectNode original;
  int currentStep;

  Deployment(String id, String version, String appId, List<String> actions, ObjectNode original) {
    this.id = id;
    this.version = version;
    this.appId = appId;
    this.actions = List.copyOf(actions);
    this.original = original;
  }

  String currentAction() {
    return currentStep >= 1 && currentStep <= actions.size() ? actions.get(currentStep - 1) : null;
  }

  /** The light plan of the 1.8+ deployment events: {@code {id, steps:[{actions:[{action, app}]}], version}}. */
  ObjectNode plan() {
    ObjectNode plan = Json.object();
    plan.put("id", id);
    ArrayNode steps = plan.putArray("steps");
    actions.forEach(action -> steps.add(step(action)));
    plan.put("version", version);
    return plan;
  }

  ObjectNode step(String action) {
    ObjectNode step = Json.object();
    step.putArray("actions").addObject().put("action", action).put("app", appId);
    return step;
  }

  /** One element of {@code GET /v2/deployments}. */
  ObjectNode view() {
    ObjectNode view = Json.object();
    view.put("id", id);
    view.put("version", version);
    view.putArray("affectedApps").add(appId);
    view.putArray("affectedPods");
    ArrayNode steps = view.putArray("steps");
    actions.forEach(action -> steps.add(step(action)));
    ArrayNode current = view.putArray("currentActions");
    String action = currentAction();
    if (action != null) {
      current.addObject().put("action", action).put("app", appId).putArray("readinessCheckResults");
    }
    view.put("currentStep", currentStep);
    view.put("totalSteps", actions.size());
    return view;
  }
}
