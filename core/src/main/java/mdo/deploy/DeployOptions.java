package mdo.deploy;

import java.nio.file.Path;
import java.time.Duration;
import mdo.command.Durations;
import mdo.config.MdoConfig;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The options launcher and updater share (a picocli mixin). */
public final class DeployOptions {
  @Option(names = "--config", paramLabel = "FILE", description = "config file (default: $MDO_CONFIG, else ./config.yaml)")
  public Path config;

  @Option(names = "--backend", paramLabel = "NAME", converter = Backend.class,
      description = "deploy to this backend instead of config.yaml's 'backend:': marathon or mesos")
  public String backend;

  @Option(names = "--no-wait", description = "return as soon as the backend accepted the deployment")
  public boolean noWait;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m", converter = Durations.Positive.class,
      description = "how long to wait for each deployment, e.g. 90s, 10m (default: ${DEFAULT-VALUE})")
  public Duration timeout;

  @Option(names = "--force", description = "override a deployment that is still changing the app")
  public boolean force;

  /** Accepts only the backends config.yaml may name, so a typo is a usage error (exit 2) before anything is read. */
  static final class Backend implements CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (!MdoConfig.BACKENDS.contains(value)) {
        throw new CommandLine.TypeConversionException("unknown backend '" + value + "'; mdo knows "
            + String.join(", ", MdoConfig.BACKENDS));
      }
      return value;
    }
  }
}
