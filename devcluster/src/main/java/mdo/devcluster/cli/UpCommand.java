package mdo.devcluster.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import mdo.devcluster.DevCluster;
import mdo.devcluster.MarathonFlags;
import mdo.devcluster.MarathonVersion;
import mdo.devcluster.PortRanges;
import mdo.devcluster.Settings;
import mdo.devcluster.mesos.MesosDevCluster;
import mdo.devcluster.mesos.MesosSettings;
import mdo.devcluster.mesos.resources.Resources;
import mdo.devcluster.standby.Standby;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code devcluster up}: serve in the foreground until SIGINT/SIGTERM, or {@code --detach} into the background. */
@Command(name = "up", mixinStandardHelpOptions = true,
    description = "Serve the Marathon API and run apps as local processes (an image as a docker or podman"
        + " container), until stopped (Ctrl-C, SIGTERM or `devcluster down`). With --standby-of, serve as a"
        + " Marathon standby that proxies to that leader instead; with --mesos, serve a Mesos master and agent (the"
        + " v1 scheduler API) instead.")
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
      + " under the repository; .mdo/devcluster-standby for a standby)")
  String stateDir;

  @Option(names = "--port-range", defaultValue = "31000-32000", paramLabel = "RANGES",
      description = "the agent's ports resource, like Mesos --resources=ports:[...]: dynamic host ports come from"
          + " it, and a task needing a fixed host port outside it never launches (default ${DEFAULT-VALUE}, the"
          + " Mesos default; several: 31000-32000,2181-2181)")
  String portRange;

  @Option(names = "--marathon-version", defaultValue = "1.10", paramLabel = "1.x",
      description = "the Marathon release to behave as, 1.4 to 1.11 (default ${DEFAULT-VALUE}); see the README's"
          + " version table")
  String marathonVersion;

  @Option(names = "--enable-features", split = ",", paramLabel = "FEATURE",
      description = "Marathon's --enable_features, e.g. task_killing (TASK_KILLING and the Killing condition)")
  Set<String> features = new TreeSet<>();

  @Option(names = "--event-subscriber", paramLabel = "http_callback",
      description = "Marathon's --event_subscriber: http_callback serves /v2/eventSubscriptions (Marathon 1.4 only)")
  String eventSubscriber;

  @Option(names = "--max-running-deployments", paramLabel = "N",
      description = "Marathon's --max_running_deployments (1.5+, default 100): more are refused with 403")
  Integer maxRunningDeployments;

  @Option(names = "--standby-of", paramLabel = "URL",
      description = "run as a standby of the Marathon (or dev cluster) at URL: proxy REST to it, redirect"
          + " /v2/events to it (1.7+), 502 while it is gone; runs no apps")
  String standbyOf;

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
    if (mesos && (subscriberConfig != null || standbyOf != null)) {
      System.err.println("devcluster: --subscriber and --standby-of belong to the Marathon mode, not to --mesos");
      return 2;
    }
    if (standbyOf != null && (etcd || subscriberConfig != null)) {
      System.err.println("devcluster: a standby runs nothing but the proxy; start etcd and the subscriber with the"
          + " leader");
      return 2;
    }
    Path state = stateDir != null ? Helpers.fromCaller(stateDir)
        : standbyOf != null ? Helpers.defaultStateDir().resolveSibling("devcluster-standby") : Helpers.defaultStateDir();
    Settings settings;
    MesosSettings mesosSettings;
    try {
      settings = settings(state);
      mesosSettings = mesos ? mesosSettings(state, settings) : null;
    } catch (IllegalArgumentException e) {
      System.err.println("devcluster: " + e.getMessage());
      return 2;
    }
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
      Background.Readiness ready = mesos
          ? new Background.Readiness("Mesos master", "/master/health", url -> Helpers.get(url + "/master/health", auth)
              != null)
          // A standby answers /ping only through its leader, so any answer of its own means it is up.
          : new Background.Readiness("Marathon API", "/ping", url -> settings.standby() ? Helpers.answers(url + "/ping")
              : "pong".equals(Helpers.get(url + "/ping", auth)));
      return Background.start(state, settings.defaultKillGrace(), childArgs(state), auth, ready);
    }
    return foreground(state, settings, mesosSettings, pidFile);
  }

  /** The same flags for the Mesos mode; {@code marathon} holds them already checked. */
  private MesosSettings mesosSettings(Path state, Settings marathon) {
    String ports = String.join(",", marathon.agentPorts().ranges().stream().map(r -> r.begin() + "-" + r.end())
        .toList());
    Resources resources = MesosSettings.machineResources(state, ports);
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
    MarathonVersion version = MarathonVersion.parse(marathonVersion);
    if (eventSubscriber != null && !eventSubscriber.equals("http_callback")) {
      throw new IllegalArgumentException("--event-subscriber takes http_callback, got " + eventSubscriber);
    }
    MarathonFlags flags = MarathonFlags.defaults(version).withFeatures(features)
        .withHttpCallbacks(eventSubscriber != null);
    if (maxRunningDeployments != null) flags = flags.withMaxRunningDeployments(maxRunningDeployments);
    Settings settings = Settings.defaults(state)
        .withPort(port)
        .withHost(host)
        .withAgentPorts(PortRanges.parse(portRange))
        .withCredentials(auth)
        .withDefaultKillGrace(Duration.ofSeconds(killGrace))
        .withMarathon(flags);
    if (standbyOf != null) {
      try {
        settings = settings.withStandbyOf(new URI(standbyOf), settings.leaderSessionTimeout());
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("--standby-of must be a URL like http://127.0.0.1:8080, got " + standbyOf);
      }
    }
    return settings;
  }

  private List<String> childArgs(Path state) {
    List<String> args = new ArrayList<>(List.of("up", "--port", Integer.toString(port), "--host", host,
        "--state-dir", state.toString(), "--port-range", portRange, "--kill-grace", Integer.toString(killGrace),
        "--marathon-version", marathonVersion));
    if (mesos) args.add("--mesos");
    if (agentResources != null) args.addAll(List.of("--agent-resources", agentResources));
    if (!features.isEmpty()) args.addAll(List.of("--enable-features", String.join(",", features)));
    if (eventSubscriber != null) args.addAll(List.of("--event-subscriber", eventSubscriber));
    if (maxRunningDeployments != null) {
      args.addAll(List.of("--max-running-deployments", Integer.toString(maxRunningDeployments)));
    }
    if (standbyOf != null) args.addAll(List.of("--standby-of", standbyOf));
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

  private int foreground(Path state, Settings settings, MesosSettings mesosSettings, PidFile pidFile)
      throws IOException, InterruptedException {
    pidFile.write(ProcessHandle.current());
    EtcdProcess etcdProcess = null;
    AutoCloseable node = null;
    Process subscriber = null;
    String url;
    try {
      if (etcd) {
        etcdProcess = EtcdProcess.start(state, etcdPort);
        System.out.println("devcluster: etcd healthy on " + etcdProcess.url() + " (data in " + state.resolve("etcd")
            + ")");
      }
      if (mesosSettings != null) {
        MesosDevCluster master = MesosDevCluster.start(mesosSettings);
        node = master;
        url = master.url();
      } else if (settings.standby()) {
        Standby standby = Standby.start(settings);
        node = standby;
        url = standby.url();
      } else {
        DevCluster cluster = DevCluster.start(settings);
        node = cluster;
        url = cluster.url();
      }
      Helpers.writeAtomically(state.resolve("devcluster.url"), url + "\n");
      if (subscriberConfig != null) subscriber = startSubscriber(state, url);
    } catch (RuntimeException e) {
      System.err.println("devcluster: " + e.getMessage());
      shutdown(state, node, etcdProcess, subscriber, pidFile);
      return 1;
    }
    System.out.println("devcluster: " + (mesosSettings != null ? "Mesos master on "
        : settings.standby() ? "Marathon standby of " + settings.standbyOf() + " on "
        : "Marathon " + settings.marathon().version() + " API on ") + url + " (state in " + state + ")");
    System.out.println("devcluster: stop with Ctrl-C, or `bin/devcluster down --state-dir " + state + "`");
    CountDownLatch stopped = new CountDownLatch(1);
    AutoCloseable c = node;
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

  private static void shutdown(Path state, AutoCloseable node, EtcdProcess etcd, Process subscriber, PidFile pidFile) {
    if (subscriber != null) {
      PidFile.stop(subscriber.toHandle(), Duration.ofSeconds(10));
      PidFile.in(state, "subscriber").delete();
    }
    if (node != null) {
      try {
        node.close();
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
