package mdo.devcluster;

import mdo.command.FailureHandler;
import mdo.devcluster.cli.BenchCommand;
import mdo.devcluster.cli.DownCommand;
import mdo.devcluster.cli.StatusCommand;
import mdo.devcluster.cli.UpCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/devcluster up|down|status}. */
@Command(name = "devcluster", mixinStandardHelpOptions = true, version = "mdo devcluster 0.1.0",
    description = "A single-machine stand-in for Marathon (the Marathon 1.x REST + event API) or, with"
        + " `up --mesos`, for a Mesos master and agent (the v1 scheduler API), running each task as a local process.",
    subcommands = {UpCommand.class, DownCommand.class, StatusCommand.class, BenchCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    return FailureHandler.install(new CommandLine(new Main()), "devcluster").execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: up, down or status");
  }
}
