package mdo.cli;

import java.time.Duration;
import mdo.deploy.DeploymentWatcher;
import mdo.marathon.DeploymentResult;
import mdo.marathon.MarathonClient;

/** The common tail of launcher and updater: after Marathon accepted a change, wait (or not) and pick the exit code. */
public final class Waiter {
  private final Terminal terminal;
  private final Duration pollInterval;

  public Waiter(Terminal terminal, Duration pollInterval) {
    this.terminal = terminal;
    this.pollInterval = pollInterval;
  }

  public int finish(MarathonClient client, String service, String appId, DeploymentResult result, int wanted,
      boolean noWait, Duration timeout) {
    String id = result.deploymentId() == null ? "(no id)" : result.deploymentId();
    if (noWait) {
      terminal.out().println(service + ": deployment " + id + " accepted by Marathon (not waiting: --no-wait)");
      return ExitCode.OK;
    }
    terminal.out().println(service + ": deployment " + id + " started, waiting up to " + mdo.config.Durations.format(timeout)
        + " for " + wanted + " instance" + (wanted == 1 ? "" : "s"));
    DeploymentWatcher.Outcome outcome;
    try (ProgressReporter progress = new ProgressReporter(terminal, service)) {
      outcome = new DeploymentWatcher(client, pollInterval).await(appId, result.deploymentId(), wanted, timeout, progress);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      terminal.err().println(service + ": interrupted while waiting; the deployment goes on in Marathon");
      return ExitCode.FAILED;
    }
    if (outcome.success()) {
      terminal.out().println(service + ": " + outcome.message().substring(outcome.message().indexOf(": ") + 2));
      return ExitCode.OK;
    }
    terminal.err().println(service + ": FAILED: " + outcome.message());
    return ExitCode.FAILED;
  }
}
