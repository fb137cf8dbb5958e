package mdo.deploy;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import mdo.cluster.ClusterBackend;
import mdo.cluster.Deployment;
import mdo.cluster.DeploymentOutcome;
import mdo.command.Durations;
import mdo.command.ExitCodes;
import mdo.command.FailureHandler;
import mdo.command.Terminal;
import mdo.config.ConfigFiles;
import mdo.config.MdoConfig;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/**
 * What launcher and updater share: their options, loading config.yaml, opening the backend it names, and the wait
 * after a change. A failure ends the command with its message and {@link ExitCodes}' code; a config problem is one
 * (exit 2, nothing sent).
 */
public abstract class DeployCommand implements Callable<Integer> {
  @Mixin
  protected DeployOptions options;

  protected final Terminal terminal;
  private final Duration pollInterval;

  /** @param pollInterval how often the backend is asked for progress while waiting */
  protected DeployCommand(Terminal terminal, Duration pollInterval) {
    this.terminal = terminal;
    this.pollInterval = pollInterval;
  }

  /** Runs {@code command} with {@code args}, its output going to its terminal; returns the exit code. */
  public static int execute(DeployCommand command, String[] args) {
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(command.terminal.out(), true));
    cli.setErr(new PrintWriter(command.terminal.err(), true));
    cli.setExecutionExceptionHandler(new FailureHandler(null));
    return cli.execute(args);
  }

  @Override
  public final Integer call() {
    checkArguments();
    MdoConfig config = ConfigFiles.load(options.config, terminal);
    return run(options.backend == null ? config : config.withBackend(options.backend));
  }

  /** Refuses bad arguments (a picocli {@code ParameterException}, exit 2) before config.yaml is even read. */
  protected void checkArguments() {}

  /** The command itself, once config.yaml is valid. */
  protected abstract int run(MdoConfig config);

  protected ClusterBackend open(MdoConfig config) {
    return ClusterBackend.open(config, pollInterval);
  }

  /** After the backend accepted a change: wait for it (unless --no-wait) and pick the exit code. */
  protected int finish(ClusterBackend backend, String service, Deployment deployment, int wanted) {
    String id = deployment.deploymentId() == null ? "(no id)" : deployment.deploymentId();
    if (options.noWait) {
      terminal.out().println(service + ": deployment " + id + " accepted by " + backend.name()
          + " (not waiting: --no-wait)");
      return ExitCodes.OK;
    }
    terminal.out().println(service + ": deployment " + id + " started, waiting up to "
        + Durations.format(options.timeout) + " for " + wanted + " instance" + (wanted == 1 ? "" : "s"));
    DeploymentOutcome outcome;
    try (ProgressReporter progress = new ProgressReporter(terminal, service, backend.name())) {
      outcome = backend.await(deployment, wanted, options.timeout, progress);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      terminal.err().println(service + ": interrupted while waiting; the deployment goes on in " + backend.name());
      return ExitCodes.FAILED;
    }
    if (outcome.success()) {
      terminal.out().println(service + ": " + outcome.message());
      return ExitCodes.OK;
    }
    terminal.err().println(service + ": FAILED: " + outcome.message());
    return ExitCodes.FAILED;
  }
}
