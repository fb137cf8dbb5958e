package mdo.updater;

import java.time.Duration;
import java.util.Optional;
import mdo.cluster.ClusterBackend;
import mdo.cluster.Deployment;
import mdo.cluster.ServiceDefinition;
import mdo.command.ExitCodes;
import mdo.command.Failure;
import mdo.command.Terminal;
import mdo.config.MdoConfig;
import mdo.deploy.DeployCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code updater SERVICE N | --image IMAGE | --restart}: changes a running service in place (a partial update, so the
 * rest of its definition stays as the launcher made it) and waits for the backend's deployment.
 */
@Command(name = "updater", mixinStandardHelpOptions = true, version = "mdo updater 0.1.0", sortOptions = false,
    usageHelpAutoWidth = true,
    description = "Scale a running service, roll it to a new Docker image, or restart its instances, and wait"
        + " until the deployment is done (on Marathon, or with backend: mesos the mdo Mesos framework).",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done, or nothing to change", "1:the deployment failed or timed out, or the backend refused or was unreachable",
        "2:bad config or arguments (nothing was sent)"},
    footerHeading = "%nExamples:%n",
    footer = {
        "  updater cassandra 3                   scale to 3 instances, wait until they run",
        "  updater cassandra 0                   stop all instances, keep the app",
        "  updater kafka --image kafka:2.8       rolling upgrade to a new image",
        "  updater kafka 5 --image kafka:2.8     both in one deployment",
        "  updater zookeeper --restart           replace every instance (rolling)",
        "  updater --config prod.yaml --timeout 20m --force cassandra 3",
        "  updater --backend mesos kafka 2       scale with the mdo Mesos framework (bin/framework)",
        "",
        "The config file is --config FILE, else $MDO_CONFIG, else ./config.yaml.",
        "Start services with launcher first; updater changes only what exists."})
public final class Main extends DeployCommand {
  @Option(names = "--image", paramLabel = "IMAGE", description = "roll the service to this Docker image")
  String image;

  @Option(names = "--restart", description = "restart all instances (rolling, like Marathon's restart)")
  boolean restart;

  @Parameters(index = "0", paramLabel = "SERVICE", description = "service name from config.yaml's services:")
  String service;

  @Parameters(index = "1", arity = "0..1", paramLabel = "N", description = "the number of instances to run")
  Integer instances;

  @Spec
  CommandSpec spec;

  public Main(Terminal terminal, Duration pollInterval) {
    super(terminal, pollInterval);
  }

  public static void main(String[] args) {
    System.exit(run(args, Terminal.system(), Duration.ofSeconds(1)));
  }

  /** Runs the command in-process and returns its exit code. */
  public static int run(String[] args, Terminal terminal, Duration pollInterval) {
    return execute(new Main(terminal, pollInterval), args);
  }

  @Override
  protected void checkArguments() {
    if (instances == null && image == null && !restart) throw usage("say what to change: N, --image IMAGE or --restart");
    if (restart && (instances != null || image != null)) throw usage("--restart goes alone (not with N or --image)");
    if (instances != null && instances < 0) throw usage("N must be 0 or more, got " + instances);
    if (image != null && image.isBlank()) throw usage("--image needs an image name");
  }

  @Override
  protected int run(MdoConfig cfg) {
    String id = ServiceDefinition.of(cfg, cfg.service(service)).id();
    try (ClusterBackend backend = open(cfg)) {
      Optional<ClusterBackend.RunningService> current = backend.find(id);
      if (current.isEmpty()) {
        terminal.err().println(service + ": " + backend.name() + " has no app " + id + "; start it first: launcher "
            + service);
        return ExitCodes.FAILED;
      }
      return update(backend, current.get());
    } catch (Failure f) {
      terminal.err().println(service + ": " + f.getMessage());
      return ExitCodes.of(f);
    }
  }

  private int update(ClusterBackend backend, ClusterBackend.RunningService running) {
    ServiceDefinition current = running.definition();
    int have = current.instances();
    int wanted = instances == null ? have : instances;
    Deployment deployment;
    if (restart) {
      terminal.out().println(service + ": restarting the " + have + " instance(s) of " + running.id());
      deployment = running.restart(options.force);
    } else {
      Integer scale = null;
      String roll = null;
      if (instances != null && instances != have) {
        terminal.out().println(service + ": scaling " + running.id() + " from " + have + " to " + instances
            + " instance(s)");
        scale = instances;
      }
      if (image != null) {
        if (current.commandOnly()) {
          terminal.err().println(service + ": " + running.id() + " runs a command, not a Docker image; --image does"
              + " not apply");
          return ExitCodes.BAD_INPUT;
        }
        if (!current.image().equals(image)) {
          terminal.out().println(service + ": rolling " + running.id() + " from image " + current.image() + " to "
              + image);
          roll = image;
        }
      }
      if (scale == null && roll == null) {
        terminal.out().println(service + ": already " + (image != null ? "on " + image : "at " + have + " instance(s)")
            + ". No changes.");
        return ExitCodes.OK;
      }
      deployment = running.change(scale, roll, options.force);
    }
    return finish(backend, service, deployment, wanted);
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
