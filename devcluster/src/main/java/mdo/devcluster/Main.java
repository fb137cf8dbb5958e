package mdo.devcluster;

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
    return new CommandLine(new Main())
        .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
          // Bad input and missing tools are explained in one line; a stack trace helps nobody here.
          commandLine.getErr().println("devcluster: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
          return 1;
        })
        .execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: up, down or status");
  }
}
