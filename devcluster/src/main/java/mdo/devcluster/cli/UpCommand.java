package mdo.devcluster.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import mdo.devcluster.DevCluster;
import mdo.devcluster.Settings;
import mdo.devcluster.mesos.MesosDevCluster;
import mdo.devcluster.mesos.MesosSettings;
import mdo.devcluster.mesos.resources.Resources;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code devcluster up}: serve in the foreground until SIGINT/SIGTERM, or {@code --detach} into the background. */
@Command(name = "up", mixinStandardHelpOptions = true,
    description = "Serve the Marathon API (or with --mesos a Mesos master and agent) and run tasks as local"
        + " processes, until stopped (Ctrl-C, SIGTERM or `devcluster down`).")
public final class UpCommand implements Callable<Integer> {
  @Option(names = "--mesos", description = "serve the Mesos v1 scheduler API (a master and one local agent) instead"
      + " of Marathon's")
  boolean mesos;

  @Option(names = "--port", description = "API port (default 8080; 5050 with --mesos; 0 = any free port)")
  Integer port;

  @Option(names = "--agent-resources", paramLabel = "RESOURCES", description = "with --mesos: what the agent offers,"
      + " in Mesos' --resources syntax, e.g. 'cpus:4;mem:8192;disk:20000' (default: this machine's cpus, memory and"
      + " disk; ports from --port-range)")
  String agentResources;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--state-dir", description = "task sandboxes, logs, pid files, etcd data (default .mdo/devcluster"
      + " under the repository)")
  String stateDir;

  @Option(names = "--port-range", defaultValue = "31000-32000",
      description = "host ports for hostPort 0 / port 0; with --mesos the agent's ports (default ${DEFAULT-VALUE})")
  String portRange;

  @Option(names = "--detach", description = "start in the background, wait until the API answers, and return")
  boolean detach;

  @Option(names = "--etcd", description = "also start etcd on loopback (data under the state dir)")
  boolean etcd;

  @Option(names = "--etcd-port", defaultValue = "2379", description = "etcd client port (default ${DEFAULT-VALUE};"
      + " the peer port is the next one)")
  int etcdPort;

  @Option(names = "--subscriber", paramLabel = "CONFIG", description = "also run bin/subscriber --config CONFIG")
  String subscriberConfig;

  /** Also read from the environment, so the password need not appear in {@code ps} output. */
  @Option(names = "--auth", paramLabel = "USER:PASSWORD", defaultValue = "${env:" + AUTH_ENV + "}",
      description = "require HTTP basic auth on every path (like Marathon's --http_credentials); default from $"
          + AUTH_ENV)
  String auth;

  static final String AUTH_ENV = "MDO_DEVCLUSTER_AUTH";

  @Option(names = "--kill-grace", defaultValue = "3", paramLabel = "SECONDS",
      description = "SIGTERM-to-SIGKILL grace for apps without taskKillGracePeriodSeconds (with --mesos: tasks"
          + " without a kill_policy) (default ${DEFAULT-VALUE})")
  int killGrace;

  @Override
  public Integer call() throws Exception {
    if (auth != null && auth.isBlank()) auth = null;
    if (port == null) port = mesos ? MesosSettings.DEFAULT_PORT : Settings.DEFAULT_PORT;
    if (mesos && subscriberConfig != null) {
      System.err.println("devcluster: --subscriber follows Marathon's events, so it runs with the Marathon mode only");
      return 2;
    }
    Path state = stateDir == null ? Helpers.defaultStateDir() : Helpers.fromCaller(stateDir);
    Settings settings = settings(state);
    MesosSettings mesosSettings = mesos ? mesosSettings(state, settings) : null;
    Files.createDirectories(state);
    PidFile pidFile = PidFile.in(state, "devcluster");
    if (pidFile.process().isPresent()) {
      System.err.println("devcluster: already running from " + state + " (pid " + pidFile.process().get().pid()
          + "); stop it with: bin/devcluster down");
      return 1;
    }
    if (!Helpers.isLoopback(host) && auth == null) {
      System.err.println("devcluster: refusing to serve on " + host + " without --auth: anyone who can reach it could"
          + " run commands as " + System.getProperty("user.name") + ". Add --auth user:password (or set $" + AUTH_ENV
          + "), or keep the default --host 127.0.0.1");
      return 1;
    }
    if (!Helpers.portFree(host, port) && port != 0) {
      System.err.println("devcluster: " + host + ":" + port + " is already in use; pick another with --port");
      return 1;
    }
    if (detach) {
      return Background.start(state, settings.defaultKillGrace(), childArgs(state), auth,
          mesos ? "/master/health" : "/ping", mesos ? "Mesos master" : "Marathon API");
    }
    return foreground(state, mesos ? () -> new Running(MesosDevCluster.start(mesosSettings))
        : () -> new Running(DevCluster.start(settings)), pidFile);
  }

  /** What {@code up} serves: the Marathon stand-in or the Mesos master and agent. */
  private record Running(AutoCloseable cluster, String url, String what) {
    Running(DevCluster marathon) {
      this(marathon, marathon.url(), "Marathon API");
    }

    Running(MesosDevCluster mesos) {
      this(mesos, mesos.url(), "Mesos master");
    }
  }

  /** The same flags for the Mesos mode; {@code marathon} holds them already checked. */
  private MesosSettings mesosSettings(Path state, Settings marathon) {
    Resources resources = MesosSettings.machineResources(state, marathon.portRangeStart(), marathon.portRangeEnd());
    if (agentResources != null) {
      // Resources named here replace the machine's; ports come from --port-range unless named here.
      Resources given = Resources.parse(agentResources);
      java.util.Set<String> named = new java.util.HashSet<>();
      given.toList().forEach(r -> named.add(r.getName()));
      resources = Resources.of(resources.toList().stream().filter(r -> !named.contains(r.getName())).toList())
          .plus(given);
    }
    return MesosSettings.defaults(state)
        .withPort(port)
        .withHost(host)
        .withAgentResources(resources)
        .withCredentials(auth)
        .withDefaultKillGrace(Duration.ofSeconds(killGrace));
  }

  private Settings settings(Path state) {
    String[] range = portRange.split("-");
    if (range.length != 2) throw new IllegalArgumentException("--port-range must look like 31000-32000");
    return Settings.defaults(state)
        .withPort(port)
        .withHost(host)
        .withPortRange(Integer.parseInt(range[0].trim()), Integer.parseInt(range[1].trim()))
        .withCredentials(auth)
        .withDefaultKillGrace(Duration.ofSeconds(killGrace));
  }

  private List<String> childArgs(Path state) {
    List<String> args = new ArrayList<>(List.of("up", "--port", Integer.toString(port), "--host", host,
        "--state-dir", state.toString(), "--port-range", portRange, "--kill-grace", Integer.toString(killGrace)));
    if (mesos) args.add("--mesos");
    if (agentResources != null) {
      args.add("--agent-resources");
      args.add(agentResources);
    }
    if (etcd) {
      args.add("--etcd");
      args.add("--etcd-port");
      args.add(Integer.toString(etcdPort));
    }
    if (subscriberConfig != null) {
      args.add("--subscriber");
      args.add(Helpers.fromCaller(subscriberConfig).toString());
    }
    return args;
  }

  private int foreground(Path state, java.util.function.Supplier<Running> start, PidFile pidFile)
      throws IOException, InterruptedException {
    pidFile.write(ProcessHandle.current());
    EtcdProcess etcdProcess = null;
    Running cluster = null;
    Process subscriber = null;
    try {
      if (etcd) {
        etcdProcess = EtcdProcess.start(state, etcdPort);
        System.out.println("devcluster: etcd healthy on " + etcdProcess.url() + " (data in " + state.resolve("etcd")
            + ")");
      }
      cluster = start.get();
      Helpers.writeAtomically(state.resolve("devcluster.url"), cluster.url() + "\n");
      if (subscriberConfig != null) subscriber = startSubscriber(state, cluster.url());
    } catch (RuntimeException e) {
      System.err.println("devcluster: " + e.getMessage());
      shutdown(state, cluster, etcdProcess, subscriber, pidFile);
      return 1;
    }
    System.out.println("devcluster: " + cluster.what() + " on " + cluster.url() + " (state in " + state + ")");
    System.out.println("devcluster: stop with Ctrl-C, or `bin/devcluster down --state-dir " + state + "`");
    CountDownLatch stopped = new CountDownLatch(1);
    Running c = cluster;
    EtcdProcess e = etcdProcess;
    Process s = subscriber;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      shutdown(state, c, e, s, pidFile);
      stopped.countDown();
    }, "devcluster-shutdown"));
    stopped.await();
    return 0;
  }

  private Process startSubscriber(Path state, String marathonUrl) throws IOException {
    Path script = Helpers.repoRoot().resolve("bin/subscriber");
    if (!Files.isExecutable(script)) {
      System.err.println("devcluster: --subscriber given, but " + script + " does not exist yet (it comes with the"
          + " subscriber module); continuing without a subscriber");
      return null;
    }
    Path config = Helpers.fromCaller(subscriberConfig);
    Process process = Helpers.startChild(List.of(script.toString(), "--config", config.toString()),
        state.resolve("subscriber.log"));
    PidFile.in(state, "subscriber").write(process.toHandle());
    System.out.println("devcluster: subscriber started (pid " + process.pid() + ", config " + config + ", log "
        + state.resolve("subscriber.log") + "); Marathon for it: " + marathonUrl);
    return process;
  }

  private static void shutdown(Path state, Running cluster, EtcdProcess etcd, Process subscriber, PidFile pidFile) {
    if (subscriber != null) {
      PidFile.stop(subscriber.toHandle(), Duration.ofSeconds(10));
      PidFile.in(state, "subscriber").delete();
    }
    if (cluster != null) {
      try {
        cluster.cluster().close();
      } catch (Exception e) {
        System.err.println("devcluster: stopping failed: " + e.getMessage());
      }
    }
    if (etcd != null) etcd.stop(state);
    try {
      Files.deleteIfExists(state.resolve("devcluster.url"));
    } catch (IOException ignored) {
      // only `status` reads it, and it checks the pid file first
    }
    pidFile.delete();
  }
}
