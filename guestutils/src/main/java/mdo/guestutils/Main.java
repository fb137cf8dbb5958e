package mdo.guestutils;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code guestutils}: maestro-ng's guest functions as subcommands, answered from the live registry. */
@Command(name = "guestutils", mixinStandardHelpOptions = true, version = "guestutils 0.1.0",
    description = {
        "Find your peers from inside a container: maestro-ng's guest functions, answered from the live mdo registry",
        "in etcd, falling back to the environment (maestro's and Marathon's variables) when etcd is down.",
        ""},
    subcommands = {
        Main.EnvironmentName.class, Main.ServiceName.class, Main.ContainerName.class, Main.ContainerHostAddress.class,
        Main.ContainerInternalAddress.class, Main.Port.class, Main.NodeList.class, Main.SpecificHost.class,
        Main.SpecificPort.class, Main.SpecificExposedPort.class, Main.Ordinal.class, WatchCommand.class,
        CallbackCommands.Register.class, CallbackCommands.ListCallbacks.class, CallbackCommands.Unregister.class},
    footer = {"",
        "Examples:",
        "  SEEDS=$(guestutils node-list cassandra --minimum 0 | paste -sd,)",
        "  ZK=$(guestutils node-list zookeeper --ports client | paste -sd,)      # 10.0.0.5:31000,10.0.0.6:31002",
        "  guestutils port storage --default 7000                                # the port to bind inside",
        "  guestutils node-list zookeeper --ports peer,election --minimum 3 --timeout 60s",
        "  guestutils watch cassandra --exec ./on-membership-change.sh",
        "  eval \"$(guestutils register-callback cassandra http://$HOST:$PORT_ADMIN/membership)\"",
        "",
        "Environment: ETCD_ENDPOINTS (or ETCD_HOST_ADDRESS), MDO_ENVIRONMENT (or MAESTRO_ENVIRONMENT_NAME),",
        "SERVICE_NAME, MESOS_TASK_ID, HOST, PORT_<NAME>, SUBSCRIBER_URL, MDO_TOKEN.",
        "Exit status: 1 on a lookup error (maestro's message on stderr), 2 on a usage error.",
        "More: guestutils COMMAND --help"})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args, GuestEnv.system()));
  }

  /** Runs the CLI against {@code env} (tests pass their own); returns the exit status. */
  public static int run(String[] args, GuestEnv env) {
    return run(args, env, null, null);
  }

  /** As {@link #run(String[], GuestEnv)}, writing to {@code out} and {@code err} when given. */
  public static int run(String[] args, GuestEnv env, PrintWriter out, PrintWriter err) {
    CommandLine cli = commandLine(args);
    if (cli != null) {
      args = java.util.Arrays.copyOfRange(args, 1, args.length);
    } else {
      cli = new CommandLine(new Main());
    }
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      Throwable cause = e instanceof CommandLine.ExecutionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof GuestUtilsException || cause instanceof IllegalArgumentException) {
        cmd.getErr().println("guestutils: " + cause.getMessage());
        return 1;
      }
      throw e;
    });
    cli.setUsageHelpWidth(110);
    if (out != null) cli.setOut(out);
    if (err != null) cli.setErr(err);
    ENV.set(env);
    try {
      return cli.execute(args);
    } finally {
      ENV.remove();
    }
  }

  /**
   * Just the subcommand named by {@code args[0]}, or {@code null}. picocli introspects every class it is given, and its
   * classes (Java 5 bytecode) cannot go into a CDS archive, so building one subcommand instead of all fifteen is a
   * measurable part of the CLI's start-up.
   */
  private static CommandLine commandLine(String[] args) {
    if (args.length == 0) return null;
    Object command = switch (args[0]) {
      case "environment-name" -> new EnvironmentName();
      case "service-name" -> new ServiceName();
      case "container-name" -> new ContainerName();
      case "container-host-address" -> new ContainerHostAddress();
      case "container-internal-address" -> new ContainerInternalAddress();
      case "port" -> new Port();
      case "node-list" -> new NodeList();
      case "specific-host" -> new SpecificHost();
      case "specific-port" -> new SpecificPort();
      case "specific-exposed-port" -> new SpecificExposedPort();
      case "ordinal" -> new Ordinal();
      default -> null;
    };
    if (command == null) return null;
    CommandLine cli = new CommandLine(command);
    cli.setCommandName("guestutils " + args[0]);
    return cli;
  }

  static final ThreadLocal<GuestEnv> ENV = ThreadLocal.withInitial(GuestEnv::system);

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options every subcommand takes. */
  static final class Common {
    @Option(names = "--etcd", paramLabel = "URLS", description = "etcd client URLs, comma-separated (default: $ETCD_ENDPOINTS)")
    String etcd;

    @Option(names = "--subscriber", paramLabel = "URL", description = "the subscriber's URL (default: $SUBSCRIBER_URL)")
    String subscriber;

    @Option(names = "--environment", paramLabel = "NAME", description = "the mdo environment (default: $MDO_ENVIRONMENT, else 'default')")
    String environment;

    @Option(names = "--etcd-timeout", paramLabel = "DURATION", converter = Durations.class,
        description = "per-request etcd timeout before falling back to the environment (default: 2s)")
    Duration etcdTimeout;

    GuestEnv env() {
      GuestEnv env = ENV.get();
      if (environment == null) return env;
      Map<String, String> vars = new LinkedHashMap<>();
      for (String name : List.of("MDO_ENVIRONMENT")) vars.put(name, environment);
      return env.with(vars);
    }

    GuestConfig config() {
      return GuestConfig.from(env(), etcd, subscriber, etcdTimeout);
    }

    GuestUtils guest() {
      GuestEnv env = env();
      return new GuestUtils(env, config().reader());
    }
  }

  abstract static class Lookup implements Callable<Integer> {
    @Mixin Common common;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      try (GuestUtils g = common.guest()) {
        PrintWriter out = spec.commandLine().getOut();
        for (String line : answer(g)) out.println(line);
        out.flush();
      }
      return 0;
    }

    abstract List<String> answer(GuestUtils g);
  }

  @Command(mixinStandardHelpOptions = true, name = "environment-name", description = "The environment's name (maestro: get_environment_name). Never fails.")
  static final class EnvironmentName extends Lookup {
    List<String> answer(GuestUtils g) { return List.of(g.getEnvironmentName()); }
  }

  @Command(mixinStandardHelpOptions = true, name = "service-name", description = "This container's service (maestro: get_service_name).")
  static final class ServiceName extends Lookup {
    List<String> answer(GuestUtils g) { return List.of(g.getServiceName()); }
  }

  @Command(mixinStandardHelpOptions = true, name = "container-name", description = "This container's name: CONTAINER_NAME, else the Mesos task id.")
  static final class ContainerName extends Lookup {
    List<String> answer(GuestUtils g) { return List.of(g.getContainerName()); }
  }

  @Command(mixinStandardHelpOptions = true, name = "container-host-address", description = "The address of this container's host (CONTAINER_HOST_ADDRESS, else HOST).")
  static final class ContainerHostAddress extends Lookup {
    List<String> answer(GuestUtils g) { return List.of(g.getContainerHostAddress()); }
  }

  @Command(mixinStandardHelpOptions = true, name = "container-internal-address", description = "The container's own private IPv4 address (eth0).")
  static final class ContainerInternalAddress extends Lookup {
    List<String> answer(GuestUtils g) { return List.of(g.getContainerInternalAddress()); }
  }

  @Command(mixinStandardHelpOptions = true, name = "port", description = {"This container's internal port NAME: the one to bind (maestro: get_port).",
      "Example: guestutils port storage --default 7000"})
  static final class Port extends Lookup {
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Option(names = "--default", paramLabel = "D", description = "answer D instead of failing when NAME is unknown") Integer dflt;

    List<String> answer(GuestUtils g) { return List.of(String.valueOf(g.getPort(name, dflt))); }
  }

  @Command(mixinStandardHelpOptions = true, name = "node-list", description = {
      "host[:port[:port]] of each ready instance of SERVICE, one per line (maestro: get_node_list).",
      "External (host) ports, sorted by ordinal then task id, so every member computes the same list.",
      "Waits up to --timeout for --minimum instances, then fails naming what it saw.",
      "",
      "Examples:",
      "  guestutils node-list zookeeper --ports client              # 10.0.0.5:31000",
      "  guestutils node-list zookeeper --ports peer,election       # 10.0.0.5:31001:31002",
      "  guestutils node-list cassandra --minimum 0 | paste -sd,    # never fails, may print nothing",
      "  guestutils node-list kafka --ports broker --label rack=r1 --minimum 2 --timeout 2m",
      "  guestutils node-list zookeeper --include-unready           # peers still starting too"})
  static final class NodeList extends Lookup {
    @Parameters(index = "0", paramLabel = "SERVICE") String service;
    @Option(names = "--ports", split = ",", paramLabel = "NAME", description = "port names to append, in order") List<String> ports = new ArrayList<>();
    @Option(names = "--minimum", paramLabel = "N", description = "fail unless at least N instances (default: 1)") int minimum = 1;
    @Option(names = "--timeout", paramLabel = "DURATION", converter = Durations.class, description = "how long --minimum waits (default: 30s)") Duration timeout = NodeQuery.DEFAULT_TIMEOUT;
    @Option(names = "--label", paramLabel = "KEY[=VALUE]", description = "only instances with this label (repeatable)") List<String> labels = new ArrayList<>();
    @Option(names = "--include-unready", description = "also list starting, unhealthy and draining instances") boolean includeUnready;

    List<String> answer(GuestUtils g) {
      NodeQuery q = NodeQuery.defaults().withTimeout(timeout).withIncludeUnready(includeUnready);
      for (String label : labels) {
        int eq = label.indexOf('=');
        q = eq < 0 ? q.withLabel(label, "") : q.withLabel(label.substring(0, eq), label.substring(eq + 1));
      }
      return g.getNodeList(service, ports, minimum, q);
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "specific-host", description = "The host of instance CONTAINER (task id, or SERVICE-ORDINAL) of SERVICE.")
  static final class SpecificHost extends Lookup {
    @Parameters(index = "0", paramLabel = "SERVICE") String service;
    @Parameters(index = "1", paramLabel = "CONTAINER") String container;

    List<String> answer(GuestUtils g) { return List.of(g.getSpecificHost(service, container)); }
  }

  @Command(mixinStandardHelpOptions = true, name = "specific-port", description = "The external (host) port PORT of instance CONTAINER of SERVICE.")
  static final class SpecificPort extends Lookup {
    @Parameters(index = "0", paramLabel = "SERVICE") String service;
    @Parameters(index = "1", paramLabel = "CONTAINER") String container;
    @Parameters(index = "2", paramLabel = "PORT") String port;
    @Option(names = "--default", paramLabel = "D") Integer dflt;

    List<String> answer(GuestUtils g) { return List.of(String.valueOf(g.getSpecificPort(service, container, port, dflt))); }
  }

  @Command(mixinStandardHelpOptions = true, name = "specific-exposed-port", description = "The internal (container) port PORT of instance CONTAINER of SERVICE.")
  static final class SpecificExposedPort extends Lookup {
    @Parameters(index = "0", paramLabel = "SERVICE") String service;
    @Parameters(index = "1", paramLabel = "CONTAINER") String container;
    @Parameters(index = "2", paramLabel = "PORT") String port;
    @Option(names = "--default", paramLabel = "D") Integer dflt;

    List<String> answer(GuestUtils g) {
      return List.of(String.valueOf(g.getSpecificExposedPort(service, container, port, dflt)));
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "ordinal", description = {"This instance's stable ordinal, 0..n-1, kept by its replacement.",
      "Example: echo $(( $(guestutils ordinal) + 1 )) > /var/lib/zookeeper/myid"})
  static final class Ordinal extends Lookup {
    List<String> answer(GuestUtils g) { return List.of(String.valueOf(g.getOrdinal())); }
  }
}
