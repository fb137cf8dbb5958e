package mdo.marathon;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** An entry of {@code GET /v2/deployments}. {@code currentStep} is 1-based; 0 before the first step starts. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MarathonDeployment(
    String id, String version, List<String> affectedApps, List<Action> currentActions, int currentStep, int totalSteps) {

  public MarathonDeployment {
    affectedApps = affectedApps == null ? List.of() : List.copyOf(affectedApps);
    currentActions = currentActions == null ? List.of() : List.copyOf(currentActions);
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Action(String action, String app) {}
}
