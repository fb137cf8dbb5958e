package mdo.guestutils;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import mdo.command.Durations;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The lookup subcommands ({@code node-list}, {@code port} ...), declared with picocli's programmatic API. A container
 * runs them several times at boot: declared with annotations, picocli spent more time reading them (reflection, one
 * generated proxy class per annotation type, none of it archivable by CDS) than the lookup itself took.
 */
final class Lookups {
  /** What a lookup prints, one line per element. */
  interface Answer {
    List<String> answer(GuestUtils g, Lookup args);
  }

  static final List<String> NAMES = List.of("environment-name", "service-name", "container-name",
      "container-host-address", "container-internal-address", "port", "node-list", "specific-host", "specific-port",
      "specific-exposed-port", "ordinal");

  private Lookups() {}

  /** A new spec for the lookup called {@code name}, or {@code null} if there is none. */
  static CommandSpec spec(String name) {
    return switch (name) {
      case "environment-name" -> lookup(name, "The environment's name (maestro: get_environment_name). Never fails.",
          (g, a) -> List.of(g.getEnvironmentName()));
      case "service-name" -> lookup(name, "This container's service (maestro: get_service_name).",
          (g, a) -> List.of(g.getServiceName()));
      case "container-name" -> lookup(name, "This container's name: CONTAINER_NAME, else the Mesos task id.",
          (g, a) -> List.of(g.getContainerName()));
      case "container-host-address" -> lookup(name,
          "The address of this container's host (CONTAINER_HOST_ADDRESS, else HOST).",
          (g, a) -> List.of(g.getContainerHostAddress()));
      case "container-internal-address" -> lookup(name, "The container's own private IPv4 address (eth0).",
          (g, a) -> List.of(g.getContainerInternalAddress()));
      case "port" -> withDefault(positionals(lookup(name,
          "This container's internal port NAME: the one to bind (maestro: get_port).%n"
              + "Example: guestutils port storage --default 7000",
          (g, a) -> List.of(String.valueOf(g.getPort(a.positional(0), a.option("--default"))))), "NAME"),
          "answer D instead of failing when NAME is unknown");
      case "node-list" -> nodeList();
      case "specific-host" -> positionals(lookup(name,
          "The host of instance CONTAINER (task id, or SERVICE-ORDINAL) of SERVICE.",
          (g, a) -> List.of(g.getSpecificHost(a.positional(0), a.positional(1)))), "SERVICE", "CONTAINER");
      case "specific-port" -> withDefault(positionals(lookup(name,
          "The external (host) port PORT of instance CONTAINER of SERVICE.",
          (g, a) -> List.of(String.valueOf(
              g.getSpecificPort(a.positional(0), a.positional(1), a.positional(2), a.option("--default"))))),
          "SERVICE", "CONTAINER", "PORT"), null);
      case "specific-exposed-port" -> withDefault(positionals(lookup(name,
          "The internal (container) port PORT of instance CONTAINER of SERVICE.",
          (g, a) -> List.of(String.valueOf(
              g.getSpecificExposedPort(a.positional(0), a.positional(1), a.positional(2), a.option("--default"))))),
          "SERVICE", "CONTAINER", "PORT"), null);
      case "ordinal" -> lookup(name, "This instance's stable ordinal, 0..n-1, kept by its replacement.%n"
              + "Example: echo $(( $(guestutils ordinal) + 1 )) > /var/lib/zookeeper/myid",
          (g, a) -> List.of(String.valueOf(g.getOrdinal())));
      default -> null;
    };
  }

  private static CommandSpec nodeList() {
    CommandSpec spec = positionals(lookup("node-list", String.join("%n",
        "host[:port[:port]] of each ready instance of SERVICE, one per line (maestro: get_node_list).",
        "External (host) ports, sorted by ordinal then task id, so every member computes the same list.",
        "Waits up to --timeout for --minimum instances, then fails naming what it saw.",
        "",
        "Examples:",
        "  guestutils node-list zookeeper --ports client              # 10.0.0.5:31000",
        "  guestutils node-list zookeeper --ports peer,election       # 10.0.0.5:31001:31002",
        "  guestutils node-list cassandra --minimum 0 | paste -sd,    # never fails, may print nothing",
        "  guestutils node-list kafka --ports broker --label rack=r1 --minimum 2 --timeout 2m",
        "  guestutils node-list zookeeper --include-unready           # peers still starting too"),
        Lookups::nodes), "SERVICE");
    spec.addOption(OptionSpec.builder("--ports").paramLabel("NAME").type(List.class).auxiliaryTypes(String.class)
        .splitRegex(",").description("port names to append, in order").build());
    spec.addOption(OptionSpec.builder("--minimum").paramLabel("N").type(Integer.class)
        .description("fail unless at least N instances (default: 1)").build());
    spec.addOption(OptionSpec.builder("--timeout").paramLabel("DURATION").type(Duration.class).converters(new Durations())
        .description("how long --minimum waits (default: 30s)").build());
    spec.addOption(OptionSpec.builder("--label").paramLabel("KEY[=VALUE]").type(List.class).auxiliaryTypes(String.class)
        .description("only instances with this label (repeatable)").build());
    spec.addOption(OptionSpec.builder("--include-unready").arity("0").type(boolean.class)
        .description("also list starting, unhealthy and draining instances").build());
    return spec;
  }

  private static List<String> nodes(GuestUtils g, Lookup a) {
    NodeQuery q = NodeQuery.defaults().withTimeout(a.option("--timeout", NodeQuery.DEFAULT_TIMEOUT))
        .withIncludeUnready(a.option("--include-unready", false));
    for (String label : a.<List<String>>option("--label", List.of())) {
      int eq = label.indexOf('=');
      q = eq < 0 ? q.withLabel(label, "") : q.withLabel(label.substring(0, eq), label.substring(eq + 1));
    }
    return g.getNodeList(a.positional(0), a.option("--ports", List.of()), a.option("--minimum", 1), q);
  }

  /** A lookup with the options every subcommand takes (see {@link Main.Common}). */
  private static CommandSpec lookup(String name, String description, Answer answer) {
    Lookup lookup = new Lookup(answer);
    CommandSpec spec = CommandSpec.wrapWithoutInspection(lookup).name(name);
    lookup.spec = spec;
    spec.usageMessage().description(description.split("%n", -1)); // lines: `guestutils --help` lists the first
    spec.version("guestutils 0.1.0");
    spec.addOption(OptionSpec.builder("--etcd").paramLabel("URLS").type(String.class)
        .description("etcd client URLs, comma-separated (default: $ETCD_ENDPOINTS)").build());
    spec.addOption(OptionSpec.builder("--subscriber").paramLabel("URL").type(String.class)
        .description("the subscriber's URL (default: $SUBSCRIBER_URL)").build());
    spec.addOption(OptionSpec.builder("--environment").paramLabel("NAME").type(String.class)
        .description("the mdo environment (default: $MDO_ENVIRONMENT, else 'default')").build());
    spec.addOption(OptionSpec.builder("--etcd-timeout").paramLabel("DURATION").type(Duration.class)
        .converters(new Durations())
        .description("per-request etcd timeout before falling back to the environment (default: 2s)").build());
    // The standard help options, declared here: picocli's own mixin for them is read through annotations.
    spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
        .description("Show this help message and exit.").build());
    spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
        .description("Print version information and exit.").build());
    return spec;
  }

  private static CommandSpec positionals(CommandSpec spec, String... labels) {
    for (int i = 0; i < labels.length; i++) {
      spec.addPositional(PositionalParamSpec.builder().index(String.valueOf(i)).arity("1").required(true)
          .paramLabel(labels[i]).type(String.class).build());
    }
    return spec;
  }

  private static CommandSpec withDefault(CommandSpec spec, String description) {
    OptionSpec.Builder option = OptionSpec.builder("--default").paramLabel("D").type(Integer.class);
    if (description != null) option.description(description);
    spec.addOption(option.build());
    return spec;
  }

  /** One run of a lookup: its parsed arguments, and the call picocli makes once they are parsed. */
  static final class Lookup implements Callable<Integer> {
    private final Answer answer;
    private CommandSpec spec;

    Lookup(Answer answer) {
      this.answer = answer;
    }

    String positional(int index) {
      return spec.positionalParameters().get(index).getValue();
    }

    <T> T option(String name) {
      return spec.findOption(name).getValue();
    }

    <T> T option(String name, T absent) {
      T value = option(name);
      return value == null ? absent : value;
    }

    @Override
    public Integer call() {
      Main.Common common = new Main.Common();
      common.etcd = option("--etcd");
      common.subscriber = option("--subscriber");
      common.environment = option("--environment");
      common.etcdTimeout = option("--etcd-timeout");
      try (GuestUtils g = common.guest()) {
        PrintWriter out = spec.commandLine().getOut();
        for (String line : answer.answer(g, this)) out.println(line);
        out.flush();
      }
      return 0;
    }
  }
}
