package mdo.config;

import java.nio.file.Path;
import mdo.command.Terminal;

/** Finds and loads config.yaml for a command: {@code --config FILE}, else {@code $MDO_CONFIG}, else ./config.yaml. */
public final class ConfigFiles {
  private ConfigFiles() {}

  public static Path resolve(Path option, Terminal terminal) {
    if (option != null) return option;
    String fromEnv = terminal.env().get("MDO_CONFIG");
    return Path.of(fromEnv == null || fromEnv.isBlank() ? "config.yaml" : fromEnv);
  }

  /** Loads and prints the warnings; a {@link ConfigException} propagates. */
  public static MdoConfig load(Path option, Terminal terminal) {
    MdoConfig config = ConfigLoader.load(resolve(option, terminal), terminal.env());
    config.warnings().forEach(w -> terminal.err().println("warning: " + w));
    return config;
  }
}
