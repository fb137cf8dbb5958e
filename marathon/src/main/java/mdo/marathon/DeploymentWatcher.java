package mdo.marathon;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import mdo.cluster.DeploymentListener;
import mdo.cluster.DeploymentListener.Progress;
import mdo.cluster.DeploymentOutcome;
import mdo.command.Durations;

/**
 * Waits for a Marathon deployment by polling {@code /v2/deployments} and the app. Success: the deployment is gone and
 * the app runs (and, with a health check, has healthy) the wanted number of instances. Failure: the deployment ended
 * short of that, or the timeout passed; the message then says what Marathon reports (counts, the app's
 * {@code lastTaskFailure}, task states). A Marathon that is briefly unreachable is polled again until the timeout.
 *
 * <p>"Gone" counts only once the deployment has been seen: Marathon answers a forced change before it lists the new
 * deployment (it first cancels the one it overrides), and meanwhile the old instances may meet the counts. A deployment
 * that came and went between two polls is recognised by its effect instead: the app is at the returned version and
 * exactly the wanted instances run its configuration ({@link #inEffect}). One never listed in {@link #UNSEEN_POLLS}
 * polls in a row was over before the first (superseded, say) and is judged by the counts, as it used to be.
 */
public final class DeploymentWatcher {
  /** 10 s at the commands' 1 s interval: far longer than Marathon takes to cancel what a forced deployment overrides. */
  static final int UNSEEN_POLLS = 10;

  private final MarathonClient client;
  private final Duration pollInterval;

  public DeploymentWatcher(MarathonClient client, Duration pollInterval) {
    this.client = client;
    this.pollInterval = pollInterval;
  }

  /**
   * @param deploymentId the deployment to wait for; {@code null} waits for the counts only
   * @param version the app version the change produced, as Marathon answered it; {@code null} when it did not say
   */
  public DeploymentOutcome await(String appId, String deploymentId, String version, int wanted, Duration timeout,
      DeploymentListener listener) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean endedOnce = false;
    boolean started = deploymentId == null; // listed once, or never listed in UNSEEN_POLLS polls
    int unseenPolls = 0;
    Progress last = null;
    String lastProblem = null;
    while (true) {
      try {
        boolean active = deploymentId != null
            && client.deployments().stream().anyMatch(d -> deploymentId.equals(d.id()));
        started |= active || ++unseenPolls >= UNSEEN_POLLS;
        Optional<MarathonApp> app = client.getApp(appId);
        if (app.isEmpty()) {
          if (!active && started) {
            return new DeploymentOutcome(false, appId + " no longer exists in Marathon (deleted while deploying?)");
          }
        } else {
          MarathonApp a = app.get();
          last = new Progress(appId, a.tasksRunning(), a.tasksHealthy(), a.tasksStaged(), wanted, a.hasHealthChecks(), active);
          listener.progress(last);
          if (!active && last.reached() && (started || version == null || inEffect(a, version, wanted))) {
            return new DeploymentOutcome(true, "deployment finished, " + last.counts());
          }
          if (!active && started && deploymentId != null) {
            // The counts can trail the deployment's end by one poll; a second look decides.
            if (endedOnce) return new DeploymentOutcome(false, "deployment " + deploymentId + " of " + appId
                + " ended, but only " + last.counts() + "." + report(a));
            endedOnce = true;
          }
        }
        lastProblem = null;
      } catch (MarathonUnavailableException e) {
        lastProblem = e.getMessage();
        listener.retrying(lastProblem);
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) return timedOut(appId, timeout, last, lastProblem);
      Thread.sleep(Math.max(1, Math.min(pollInterval.toMillis(), remaining / 1_000_000)));
    }
  }

  /**
   * True when the app is at {@code version} (or later) and exactly {@code wanted} tasks run, all launched under its
   * current configuration ({@code versionInfo.lastConfigChangeAt}; a scale keeps that, so scaled apps' tasks count) and
   * healthy where checked.
   */
  static boolean inEffect(MarathonApp app, String version, int wanted) {
    if (app.version() == null || app.version().compareTo(version) < 0) return false;
    String config = app.json().path("versionInfo").path("lastConfigChangeAt").asText(app.version());
    int current = 0;
    int tasks = 0;
    for (JsonNode json : app.json().path("tasks")) {
      MarathonTask t = MarathonClient.JSON.convertValue(json, MarathonTask.class);
      tasks++;
      boolean ofConfig = t.version() != null && t.version().compareTo(config) >= 0;
      boolean healthy = !app.hasHealthChecks() || Boolean.TRUE.equals(t.healthy());
      if ("TASK_RUNNING".equals(t.state()) && ofConfig && healthy) current++;
    }
    return tasks == wanted && current == wanted;
  }

  private DeploymentOutcome timedOut(String appId, Duration timeout, Progress last, String lastProblem) {
    StringBuilder sb = new StringBuilder("timed out after ").append(Durations.format(timeout)).append(" waiting for ")
        .append(appId);
    if (last != null) sb.append(": ").append(last.counts());
    sb.append('.');
    if (lastProblem != null) {
      sb.append(" Last poll failed: ").append(lastProblem);
    } else {
      try {
        client.getApp(appId).ifPresent(a -> sb.append(report(a)));
      } catch (MarathonException | MarathonUnavailableException e) {
        sb.append(" (could not read the app: ").append(e.getMessage()).append(')');
      }
    }
    sb.append("\nMarathon keeps deploying; see its UI or GET /v2/deployments. Re-run with a longer --timeout to keep waiting.");
    return new DeploymentOutcome(false, sb.toString());
  }

  /** What Marathon says about the app: its last task failure and the states of its tasks. */
  private String report(MarathonApp app) {
    StringBuilder sb = new StringBuilder();
    JsonNode failure = app.json().path("lastTaskFailure");
    if (failure.isObject()) {
      sb.append("\nLast task failure:");
      if (failure.hasNonNull("state")) sb.append(' ').append(failure.get("state").asText());
      if (failure.hasNonNull("host")) sb.append(" on ").append(failure.get("host").asText());
      if (failure.hasNonNull("timestamp")) sb.append(" at ").append(failure.get("timestamp").asText());
      sb.append(": ").append(failure.path("message").asText("(no message)"));
    }
    try {
      List<MarathonTask> tasks = client.appTasks(app.id());
      Map<String, Integer> states = new TreeMap<>();
      tasks.forEach(t -> states.merge(t.state() == null ? "UNKNOWN" : t.state(), 1, Integer::sum));
      sb.append("\nTasks: ").append(states.isEmpty() ? "none" : states.toString());
    } catch (MarathonException | MarathonUnavailableException e) {
      sb.append("\nTasks: could not list them (").append(e.getMessage()).append(')');
    }
    return sb.toString();
  }
}
