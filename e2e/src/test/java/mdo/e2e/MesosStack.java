package mdo.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import mdo.config.ConfigLoader;
import mdo.config.MdoConfig;
import mdo.devcluster.mesos.MesosDevCluster;
import mdo.devcluster.mesos.MesosSettings;
import mdo.framework.desired.FrameworkKeys;
import mdo.framework.desired.ServiceProgress;
import mdo.framework.scheduler.SchedulerSettings;
import mdo.framework.server.FrameworkProcess;
import mdo.framework.server.FrameworkTuning;
import mdo.leader.ElectionTiming;
import mdo.registry.Etcd;
import mdo.registry.EtcdSettings;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;
import mdo.subscriber.Subscriber;
import mdo.subscriber.SubscriberConfig;
import mdo.testkit.EtcdServer;

/**
 * The Mesos story's counterpart of {@link Stack}: a real etcd, the dev cluster's Mesos mode (a master and an agent
 * running tasks as local processes, in-process on port 0), the framework ({@code bin/framework}'s
 * {@link FrameworkProcess}, in-process, with short timers) and a config.yaml with {@code backend: mesos} for the
 * sample service. launcher and updater run in-process as with Marathon; guestutils as the real process.
 * {@link #close()} stops everything and checks that no process of the test survived.
 */
final class MesosStack implements AutoCloseable {
  static final String SERVICE = Stack.SERVICE;
  private static final AtomicInteger ENVS = new AtomicInteger();

  final String env = "mesos" + ENVS.incrementAndGet() + "x" + ProcessHandle.current().pid();
  final String appId = "/" + env + "/" + SERVICE;
  final Path dir;
  final EtcdServer etcdServer;
  final Client etcd;
  /** The dev cluster's Mesos mode; null in a {@link #twoAgents()} stack. */
  final MesosDevCluster cluster;
  /** A master with two agents; null unless {@link #twoAgents()}. */
  final TwoAgentMesos twoAgents;
  /** Beside the framework, as with backend: mesos: it serves the registry and delivers callbacks, writes nothing. */
  final Subscriber subscriber;
  final Path config;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<FrameworkProcess> frameworks = new ArrayList<>();
  private String services;

  /**
   * @param masters how many Mesos masters run (one leads; the others redirect to it)
   * @param twoAgents a master with two agents instead of the dev cluster (then {@code masters} must be 1)
   */
  private MesosStack(int masters, boolean twoAgents) throws IOException {
    dir = Files.createTempDirectory("mdo-e2e-mesos-");
    EtcdServer etcdStarted = null;
    Client etcdClient = null;
    MesosDevCluster clusterStarted = null;
    TwoAgentMesos agentsStarted = null;
    try {
      etcdStarted = EtcdServer.start();
      etcdClient = Etcd.client(EtcdSettings.of(etcdStarted.endpoint()));
      Path state = dir.resolve("mesos");
      if (twoAgents) {
        agentsStarted = new TwoAgentMesos(state);
      } else {
        clusterStarted = MesosDevCluster.start(MesosSettings.defaults(state).withPort(0).withMasters(masters)
            .withAgentResources(MesosSettings.machineResources(state, "37000-37999"))
            .withTimings(Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(1))
            .withDefaultKillGrace(Duration.ofSeconds(2)));
      }
      SubscriberConfig marathonMode = Stack.subscriberConfig(etcdStarted.endpoint(), "http://127.0.0.1:1", env);
      subscriber = new Subscriber(new SubscriberConfig(marathonMode.etcd(), marathonMode.marathon(),
          marathonMode.subscriber(), env, marathonMode.tuning(), SubscriberConfig.RegistryWriter.FRAMEWORK)).start();
    } catch (RuntimeException e) {
      if (clusterStarted != null) clusterStarted.close();
      if (agentsStarted != null) agentsStarted.close();
      if (etcdClient != null) etcdClient.close();
      if (etcdStarted != null) etcdStarted.close();
      throw e;
    }
    cluster = clusterStarted;
    this.twoAgents = agentsStarted;
    etcdServer = etcdStarted;
    etcd = etcdClient;
    config = dir.resolve("config.yaml");
    services(Stack.peers(2));
  }

  MesosStack(int masters) throws IOException {
    this(masters, false);
  }

  MesosStack() throws IOException {
    this(1, false);
  }

  /** A master with two agents, one of which a test may cut off ({@link TwoAgentMesos}). */
  static MesosStack twoAgents() throws IOException {
    return new MesosStack(1, true);
  }

  /** The masters' URLs, the leading one first. */
  List<String> masterUrls() {
    if (twoAgents != null) return List.of(twoAgents.url());
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < cluster.settings().masters(); i++) urls.add(cluster.urlOf(i));
    return urls;
  }

  /** Rewrites config.yaml with these services (YAML under {@code services:}). */
  void services(String yaml) {
    services = yaml;
    String masters = String.join(", ", masterUrls());
    Stack.write(config, """
        environment: %s
        backend: mesos
        mesos:
          urls: [%s]
          failover-timeout: 10m
          unreachable-timeout: 3s
        etcd:
          endpoints: [%s]
        subscriber:
          host: 127.0.0.1
          port: %d
          token: %s
          registration-secret: %s
          callback-allow: [127.0.0.0/8]
        services:
        %s""".formatted(env, masters, etcdServer.endpoint(), subscriber.port(), Stack.TOKEN, Stack.REGISTRATION_SECRET,
        yaml));
  }

  String services() {
    return services;
  }

  MdoConfig loadConfig() {
    return ConfigLoader.load(config, Map.of());
  }

  /** Short timers, so kills, reconciliation and launch delays happen within a test. */
  FrameworkTuning tuning(MdoConfig cfg) {
    SchedulerSettings scheduler = SchedulerSettings.defaults(cfg.mesos().unreachableTimeout())
        .withTimers(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(10), Duration.ofMillis(100))
        .withBackoff(Duration.ofMillis(200), 2, Duration.ofSeconds(2));
    return FrameworkTuning.defaults(cfg).withScheduler(scheduler)
        .withIntervals(Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofSeconds(1));
  }

  /** Starts a framework process in this JVM (HTTP on a free port). */
  FrameworkProcess startFramework() {
    MdoConfig cfg = loadConfig();
    FrameworkProcess process = new FrameworkProcess(cfg, tuning(cfg), ElectionTiming.defaults(), Clock.systemUTC())
        .start("127.0.0.1", 0);
    frameworks.add(process);
    return process;
  }

  void stopFramework(FrameworkProcess process) {
    frameworks.remove(process);
    process.close();
  }

  /** {@code bin/framework --config config.yaml --port 0} as a real process, its output in {@code <name>.log}. */
  Process startFrameworkProcess(String name) {
    ProcessBuilder builder = new ProcessBuilder(Stack.REPO.resolve("bin/framework").toString(), "--config",
        config.toString(), "--port", "0").directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile());
    try {
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String log(String name) {
    try {
      return Files.readString(dir.resolve(name + ".log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  // ---- the commands

  Stack.Result launcher(String... args) {
    return Stack.inProcess(args, mdo.launcher.Main::run);
  }

  Stack.Result updater(String... args) {
    return Stack.inProcess(args, mdo.updater.Main::run);
  }

  Stack.Result guestutils(String... args) {
    return Stack.guestutils(dir, etcdServer.endpoint(), env, args);
  }

  // ---- what the user looks at

  Map<String, InstanceRecord> registry() {
    return registry(SERVICE);
  }

  /** The instance records of a service in etcd, by task id. */
  Map<String, InstanceRecord> registry(String service) {
    Map<String, InstanceRecord> out = new TreeMap<>();
    for (KeyValue kv : range(RegistryKeys.instances(env, service))) {
      InstanceRecord r = RegistryJson.read(kv.getValue().getBytes(), InstanceRecord.class, kv.getKey().toString());
      if (out.put(r.taskId(), r) != null) throw new AssertionError("two records for task " + r.taskId());
    }
    return out;
  }

  /** Waits until the registry holds exactly {@code n} ready records, whose tasks the master reports running. */
  Map<String, InstanceRecord> awaitRegistry(int n) {
    await("registry of " + n + " ready instances matching the master's running tasks").atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100)).until(() -> {
          Map<String, InstanceRecord> records = registry();
          return records.size() == n && records.values().stream().allMatch(InstanceRecord::ready)
              && records.keySet().equals(runningTaskIds(SERVICE));
        });
    return registry();
  }

  /** The framework's progress on a service, as launcher/updater and the subscriber read it. */
  Optional<ServiceProgress> progress(String service) {
    List<KeyValue> kvs = range(FrameworkKeys.progress(env, service));
    return kvs.isEmpty() ? Optional.empty() : Optional.of(RegistryJson.read(kvs.get(0).getValue().getBytes(),
        ServiceProgress.class, FrameworkKeys.progress(env, service)));
  }

  /** Keys under a prefix (or the one key). */
  List<KeyValue> range(String prefix) {
    try {
      return etcd.getKVClient().get(Etcd.bytes(prefix), GetOption.builder().isPrefix(true).build())
          .get(5, TimeUnit.SECONDS).getKvs();
    } catch (Exception e) {
      throw new AssertionError("cannot read etcd: " + e, e);
    }
  }

  /** The master's state ({@code GET /master/state}) as operators read it. */
  JsonNode masterState() {
    return getJson((twoAgents != null ? twoAgents.url() : cluster.url()) + "/master/state");
  }

  /** Task ids of the service in the given state, across the master's frameworks (unreachable ones included). */
  TreeSet<String> tasksInState(String service, String state) {
    TreeSet<String> ids = new TreeSet<>();
    String prefix = env + "_" + service + ".instance-";
    for (JsonNode f : masterState().path("frameworks")) {
      for (String list : List.of("tasks", "unreachable_tasks")) {
        for (JsonNode t : f.path(list)) {
          String id = t.path("id").asText();
          if (id.startsWith(prefix) && t.path("state").asText().equals(state)) ids.add(id);
        }
      }
    }
    return ids;
  }

  TreeSet<String> runningTaskIds(String service) {
    return tasksInState(service, "TASK_RUNNING");
  }

  /** The ids of the frameworks the master knows. */
  List<String> frameworkIds() {
    List<String> ids = new ArrayList<>();
    masterState().path("frameworks").forEach(f -> ids.add(f.path("id").asText()));
    return ids;
  }

  String subscriberUrl() {
    return "http://127.0.0.1:" + subscriber.port();
  }

  String getText(String url) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  JsonNode getJson(String url) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("GET %s: %s", url, response.body()).isIn(200, 503);
      return RegistryJson.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The sample's {@code GET /}: which task answers on a host port. */
  JsonNode sampleStatus(String hostPort) {
    return getJson("http://" + hostPort + "/");
  }

  /** The live process of a task, found by the sandbox the agent exported to it. */
  ProcessHandle taskProcess(String taskId) {
    for (long pid : Stack.tasksUnder(dir)) {
      Optional<ProcessHandle> p = ProcessHandle.of(pid);
      if (p.isPresent() && environ(pid).contains("MESOS_TASK_ID=" + taskId + "\0")) return p.get();
    }
    throw new AssertionError("task " + taskId + " has no live process");
  }

  private static String environ(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")));
    } catch (IOException e) {
      return "";
    }
  }

  // ---- hygiene

  /** Stops the frameworks, the dev cluster (and its tasks) and etcd; then no process of the test may be left. */
  @Override
  public void close() {
    try {
      subscriber.close();
      for (FrameworkProcess f : List.copyOf(frameworks)) f.close();
    } finally {
      try {
        if (cluster != null) cluster.close();
        if (twoAgents != null) twoAgents.close();
      } finally {
        etcd.close();
        etcdServer.close();
      }
    }
    Stack.assertNothingLeft(dir);
  }
}
