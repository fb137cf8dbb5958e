package mdo.updater;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
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
import mdo.marathon.DeploymentResult;
import mdo.marathon.MarathonClient;
import mdo.marathon.MarathonException;
import mdo.marathon.MarathonUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code updater SERVICE N | --image IMAGE | --restart}: changes a running service in place (a partial update, so the
 * rest of its definition stays as the launcher made it) and waits for Marathon's deployment.
 */
@Command(name = "updater", mixinStandardHelpOptions = true, version = "mdo updater 0.1.0", sortOptions = false,
    usageHelpAutoWidth = true,
    description = "Scale a running service, roll it to a new Docker image, or restart its instances, and wait"
        + " until Marathon's deployment is done.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done, or nothing to change", "1:the deployment failed or timed out, or Marathon refused",
        "2:bad config or arguments (nothing was sent)"},
    footerHeading = "%nExamples:%n",
    footer = {
        "  updater cassandra 3                   scale to 3 instances, wait until they run",
        "  updater cassandra 0                   stop all instances, keep the app",
        "  updater kafka --image kafka:2.8       rolling upgrade to a new image",
        "  updater kafka 5 --image kafka:2.8     both in one deployment",
        "  updater zookeeper --restart           replace every instance (rolling)",
        "  updater --config prod.yaml --timeout 20m --force cassandra 3",
        "",
        "The config file is --config FILE, else $MDO_CONFIG, else ./config.yaml.",
        "Start services with launcher first; updater changes only what exists."})
public final class Main implements Callable<Integer> {
  @Mixin
  DeployOptions options;

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
    if (instances == null && image == null && !restart) throw usage("say what to change: N, --image IMAGE or --restart");
    if (restart && (instances != null || image != null)) throw usage("--restart goes alone (not with N or --image)");
    if (instances != null && instances < 0) throw usage("N must be 0 or more, got " + instances);
    if (image != null && image.isBlank()) throw usage("--image needs an image name");
    MdoConfig cfg;
    String appId;
    try {
      cfg = CliConfig.load(options.config, terminal);
      appId = AppDefinitions.appId(cfg, cfg.service(service));
    } catch (ConfigException e) {
      terminal.err().println(e.getMessage());
      return ExitCode.BAD_INPUT;
    }
    MarathonClient client = new MarathonClient(cfg.marathon());
    try {
      Optional<ObjectNode> current = client.getAppJson(appId);
      if (current.isEmpty()) {
        terminal.err().println(service + ": Marathon has no app " + appId + "; start it first: launcher " + service);
        return ExitCode.FAILED;
      }
      return update(client, appId, current.get());
    } catch (MarathonException e) {
      terminal.err().println(service + ": " + Failures.explain(e, cfg.file().toString()));
    } catch (MarathonUnavailableException e) {
      terminal.err().println(service + ": " + Failures.explain(e, cfg.file().toString()));
    }
    return ExitCode.FAILED;
  }

  private int update(MarathonClient client, String appId, ObjectNode current) {
    int have = current.path("instances").asInt();
    int wanted = instances == null ? have : instances;
    DeploymentResult result;
    if (restart) {
      terminal.out().println(service + ": restarting the " + have + " instance(s) of " + appId);
      result = client.restartApp(appId, options.force);
    } else {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      if (instances != null && instances != have) {
        terminal.out().println(service + ": scaling " + appId + " from " + have + " to " + instances + " instance(s)");
        body.put("instances", instances);
      }
      if (image != null) {
        JsonNode docker = current.path("container").path("docker");
        if (!docker.isObject()) {
          terminal.err().println(service + ": " + appId + " runs a command, not a Docker image; --image does not apply");
          return ExitCode.BAD_INPUT;
        }
        String was = docker.path("image").asText();
        if (!was.equals(image)) {
          terminal.out().println(service + ": rolling " + appId + " from image " + was + " to " + image);
          ObjectNode container = current.get("container").deepCopy();
          ((ObjectNode) container.get("docker")).put("image", image);
          body.set("container", container);
        }
      }
      if (body.isEmpty()) {
        terminal.out().println(service + ": already " + (image != null ? "on " + image : "at " + have + " instance(s)")
            + ". No changes.");
        return ExitCode.OK;
      }
      result = client.putApp(appId, body, options.force);
    }
    return new Waiter(terminal, pollInterval).finish(client, service, appId, result, wanted, options.noWait, options.timeout);
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
