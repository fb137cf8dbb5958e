package mdo.launcher;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import mdo.cli.CliConfig;
import mdo.cli.DeployOptions;
import mdo.cli.ExitCode;
import mdo.cli.Failures;
import mdo.cli.Terminal;
import mdo.cli.Waiter;
import mdo.config.ConfigException;
import mdo.config.MdoConfig;
import mdo.deploy.AppDefinitions;
import mdo.deploy.AppDiff;
import mdo.marathon.DeploymentResult;
import mdo.marathon.MarathonClient;
import mdo.marathon.MarathonException;
import mdo.marathon.MarathonUnavailableException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code launcher SERVICE...}: creates or updates each service's Marathon app from config.yaml, in the order given,
 * and waits until it runs. Every service's definition is built (and the config validated) before the first request,
 * so bad input sends nothing.
 */
@Command(name = "launcher", mixinStandardHelpOptions = true, version = "mdo launcher 0.1.0", sortOptions = false,
    usageHelpAutoWidth = true,
    description = "Start or update services described in config.yaml on Marathon, and wait until they run."
        + " An unchanged service is left alone (\"No changes.\"); a changed one is rolled out by Marathon.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:started, updated, or nothing to change", "1:the deployment failed or timed out, or Marathon refused",
        "2:bad config or arguments (nothing was sent)"},
    footerHeading = "%nExamples:%n",
    footer = {
        "  launcher cassandra             start (or update) cassandra, wait until it runs",
        "  launcher zookeeper kafka       one after the other, in this order",
        "  launcher --dry-run cassandra   print the Marathon app JSON, send nothing",
        "  launcher --no-wait kafka       return once Marathon accepted the deployment",
        "  launcher --force kafka         override a deployment still running for kafka",
        "  launcher --config prod.yaml --timeout 20m cassandra",
        "",
        "The config file is --config FILE, else $MDO_CONFIG, else ./config.yaml.",
        "config.yaml.example documents every field. Marathon credentials can also",
        "come from MARATHON_USER/MARATHON_PASSWORD or MARATHON_TOKEN."})
public final class Main implements Callable<Integer> {
  @Mixin
  DeployOptions options;

  @Option(names = "--dry-run", description = "print the Marathon app JSON that would be sent; send nothing")
  boolean dryRun;

  @Parameters(arity = "1..*", paramLabel = "SERVICE", description = "service names from config.yaml's services:")
  List<String> services;

  private final Terminal terminal;
  private final Duration pollInterval;

  public Main(Terminal terminal, Duration pollInterval) {
    this.terminal = terminal;
    this.pollInterval = pollInterval;
  }

  public static void main(String[] args) {
    System.exit(run(args, Terminal.system(), Duration.ofSeconds(1)));
  }

  /** Runs the command in-process and returns its exit code. */
  public static int run(String[] args, Terminal terminal, Duration pollInterval) {
    return DeployOptions.execute(new Main(terminal, pollInterval), args, terminal);
  }

  @Override
  public Integer call() {
    MdoConfig cfg;
    Map<String, ObjectNode> apps = new LinkedHashMap<>();
    try {
      cfg = CliConfig.load(options.config, terminal);
      for (String service : services) apps.put(service, AppDefinitions.toApp(cfg, cfg.service(service)));
    } catch (ConfigException e) {
      terminal.err().println(e.getMessage());
      return ExitCode.BAD_INPUT;
    }
    if (dryRun) {
      apps.values().forEach(app -> terminal.out().println(AppDefinitions.pretty(app)));
      return ExitCode.OK;
    }
    MarathonClient client = new MarathonClient(cfg.marathon());
    for (Map.Entry<String, ObjectNode> e : apps.entrySet()) {
      int code = launch(client, cfg, e.getKey(), e.getValue());
      if (code != ExitCode.OK) return code;
    }
    return ExitCode.OK;
  }

  private int launch(MarathonClient client, MdoConfig cfg, String service, ObjectNode app) {
    String appId = app.path("id").asText();
    String file = cfg.file().toString();
    try {
      Optional<ObjectNode> current = client.getAppJson(appId);
      DeploymentResult result;
      if (current.isEmpty()) {
        terminal.out().println(service + ": creating " + appId);
        result = client.createApp(app);
      } else {
        List<String> changes = AppDiff.differences(app, current.get());
        if (changes.isEmpty()) {
          terminal.out().println(service + ": No changes.");
          return ExitCode.OK;
        }
        terminal.out().println(service + ": updating " + appId);
        changes.forEach(c -> terminal.out().println("  " + c));
        result = client.replaceApp(appId, app, options.force);
      }
      int wanted = app.path("instances").asInt();
      return new Waiter(terminal, pollInterval)
          .finish(client, service, appId, result, wanted, options.noWait, options.timeout);
    } catch (MarathonException e) {
      terminal.err().println(service + ": " + Failures.explain(e, file));
    } catch (MarathonUnavailableException e) {
      terminal.err().println(service + ": " + Failures.explain(e, file));
    }
    return ExitCode.FAILED;
  }
}
