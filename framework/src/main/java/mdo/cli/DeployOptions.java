package mdo.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The options launcher and updater share (a picocli mixin), and how both run in-process. */
public final class DeployOptions {
  @Option(names = "--config", paramLabel = "FILE", description = "config file (default: $MDO_CONFIG, else ./config.yaml)")
  public Path config;

  @Option(names = "--no-wait", description = "return as soon as Marathon accepted the deployment")
  public boolean noWait;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
      description = "how long to wait for each deployment, e.g. 90s, 10m (default: ${DEFAULT-VALUE})")
  public Duration timeout;

  @Option(names = "--force", description = "override a deployment that is still changing the app")
  public boolean force;

  /** Runs {@code command} with {@code args}, its output going to {@code terminal}; returns the exit code. */
  public static int execute(Object command, String[] args, Terminal terminal) {
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(terminal.out(), true));
    cli.setErr(new PrintWriter(terminal.err(), true));
    return cli.execute(args);
  }
}
