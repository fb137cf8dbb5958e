package mdo.guestutils;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdo.command.Durations;
import mdo.command.FailureHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code guestutils}: maestro-ng's guest functions as subcommands, answered from the live registry. */
@Command(name = "guestutils", mixinStandardHelpOptions = true, version = "guestutils 0.1.0",
    description = {
        "Find your peers from inside a container: maestro-ng's guest functions, answered from the live mdo registry",
        "in etcd, falling back to the environment (maestro's and Marathon's variables) when etcd is down.",
        ""},
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
        "SERVICE_NAME, MESOS_TASK_ID, HOST, PORT_<NAME>, SUBSCRIBER_URL, MDO_REGISTRATION_TOKEN (or an operator's MDO_TOKEN),",
        "MDO_CALLBACK_SECRET (verify-callback).",
        "Exit status: 1 on a lookup error (maestro's message on stderr), 2 on a usage error.",
        "More: guestutils COMMAND --help"})
public final class Main implements Runnable {
  @CommandLine.Spec CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args, GuestEnv.system()));
  }

  /** Runs the CLI against {@code env} (tests pass their own); returns the exit status. */
  public static int run(String[] args, GuestEnv env) {
    return run(args, env, null, null);
  }

  /** As {@link #run(String[], GuestEnv)}, writing to {@code out} and {@code err} when given. */
  public static int run(String[] args, GuestEnv env, PrintWriter out, PrintWriter err) {
    CommandSpec lookup = args.length == 0 ? null : Lookups.spec(args[0]);
    CommandLine cli;
    if (lookup != null) {
      // A lookup alone: building the other fourteen subcommands would cost more than the lookup.
      cli = new CommandLine(lookup.name("guestutils " + args[0]));
      args = Arrays.copyOfRange(args, 1, args.length);
    } else {
      cli = new CommandLine(new Main());
      for (String name : Lookups.NAMES) cli.addSubcommand(name, new CommandLine(Lookups.spec(name)));
      cli.addSubcommand(new WatchCommand());
      cli.addSubcommand(new CallbackCommands.Register());
      cli.addSubcommand(new CallbackCommands.ListCallbacks());
      cli.addSubcommand(new CallbackCommands.Unregister());
      cli.addSubcommand(new CallbackCommands.Verify());
    }
    FailureHandler.install(cli, "guestutils");
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

  static final ThreadLocal<GuestEnv> ENV = ThreadLocal.withInitial(GuestEnv::system);

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options every subcommand takes (the lookups declare the same options in code, see {@link Lookups}). */
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
}
