package mdo.deploy;

import java.nio.file.Path;
import java.time.Duration;
import mdo.command.Durations;
import picocli.CommandLine.Option;

/** The options launcher and updater share (a picocli mixin). */
public final class DeployOptions {
  @Option(names = "--config", paramLabel = "FILE", description = "config file (default: $MDO_CONFIG, else ./config.yaml)")
  public Path config;

  @Option(names = "--no-wait", description = "return as soon as Marathon accepted the deployment")
  public boolean noWait;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m", converter = Durations.Positive.class,
      description = "how long to wait for each deployment, e.g. 90s, 10m (default: ${DEFAULT-VALUE})")
  public Duration timeout;

  @Option(names = "--force", description = "override a deployment that is still changing the app")
  public boolean force;
}
