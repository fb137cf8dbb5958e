package mdo.launcher;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import mdo.cluster.ClusterBackend;
import mdo.cluster.Deployment;
import mdo.cluster.ServiceDefinition;
import mdo.command.ExitCodes;
import mdo.command.Failure;
import mdo.command.Terminal;
import mdo.config.MdoConfig;
import mdo.deploy.DeployCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code launcher SERVICE...}: creates or updates each service from config.yaml on its backend (a Marathon app, or the
 * desired state the native Mesos framework converges to), in the order given, and waits until it runs. Every service's definition is built (and the config validated) before the first request,
 * so bad input sends nothing.
 */
@Command(name = "launcher", mixinStandardHelpOptions = true, version = "mdo launcher 0.1.0", sortOptions = false,
    usageHelpAutoWidth = true,
    description = "Start or update services described in config.yaml on Marathon (or, with backend: mesos, the mdo"
        + " Mesos framework), and wait until they run. An unchanged service is left alone (\"No changes.\"); a"
        + " changed one is rolled out.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:started, updated, or nothing to change", "1:the deployment failed or timed out, or the backend refused or was unreachable",
        "2:bad config or arguments (nothing was sent)"},
    footerHeading = "%nExamples:%n",
    footer = {
        "  launcher cassandra             start (or update) cassandra, wait until it runs",
        "  launcher zookeeper kafka       one after the other, in this order",
        "  launcher --dry-run cassandra   print the Marathon app JSON (mesos: the desired state), secrets masked,",
        "                                 send nothing",
        "  launcher --no-wait kafka       return once Marathon accepted the deployment",
        "  launcher --force kafka         override a deployment still running for kafka",
        "  launcher --config prod.yaml --timeout 20m cassandra",
        "  launcher --backend mesos kafka  deploy with the mdo Mesos framework (bin/framework)",
        "",
        "The config file is --config FILE, else $MDO_CONFIG, else ./config.yaml.",
        "config.yaml.example documents every field. Marathon credentials can also",
        "come from MARATHON_USER/MARATHON_PASSWORD or MARATHON_TOKEN."})
public final class Main extends DeployCommand {
  @Option(names = "--dry-run", description = "print what would be sent (the Marathon app JSON, or the desired state"
      + " for the Mesos framework; secret env values shown as ***); send nothing")
  boolean dryRun;

  @Parameters(arity = "1..*", paramLabel = "SERVICE", description = "service names from config.yaml's services:")
  List<String> services;

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
  protected int run(MdoConfig cfg) {
    Map<String, ServiceDefinition> definitions = new LinkedHashMap<>();
    for (String service : services) definitions.put(service, ServiceDefinition.of(cfg, cfg.service(service)));
    try (ClusterBackend backend = open(cfg)) {
      if (dryRun) {
        definitions.values().forEach(d -> terminal.out().println(backend.render(d.masked())));
        return ExitCodes.OK;
      }
      for (Map.Entry<String, ServiceDefinition> e : definitions.entrySet()) {
        int code = launch(backend, e.getKey(), e.getValue());
        if (code != ExitCodes.OK) return code;
      }
    }
    return ExitCodes.OK;
  }

  private int launch(ClusterBackend backend, String service, ServiceDefinition desired) {
    Deployment deployment;
    try {
      Optional<ClusterBackend.RunningService> current = backend.find(desired.id());
      if (current.isEmpty()) {
        terminal.out().println(service + ": creating " + desired.id());
        deployment = backend.create(desired);
      } else {
        List<String> changes = ServiceDefinition.differences(desired, current.get().definition());
        if (changes.isEmpty()) {
          terminal.out().println(service + ": No changes.");
          return ExitCodes.OK;
        }
        terminal.out().println(service + ": updating " + desired.id());
        changes.forEach(c -> terminal.out().println("  " + c));
        deployment = current.get().replace(desired, options.force);
      }
    } catch (Failure f) {
      terminal.err().println(service + ": " + f.getMessage());
      return ExitCodes.of(f);
    }
    return finish(backend, service, deployment, desired.instances());
  }
}
