package mdo.devcluster.containers;

import java.util.List;

/** Docker: its defaults work as they are; the engine is a daemon, which {@code docker info} reaches or not. */
final class DockerEngine extends CliEngine {
  DockerEngine(String cli) {
    super(cli);
  }

  @Override
  public String name() {
    return "docker";
  }

  @Override
  List<String> globalFlags() {
    return List.of();
  }

  @Override
  List<String> runFlags() {
    return List.of();
  }

  /** {@code docker info} fails when no daemon answers, even though the CLI is installed. */
  List<String> probe() {
    return command("info", "--format", "{{.ServerVersion}}");
  }
}
