package mdo.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import mdo.command.Terminal;
import mdo.config.MarathonSettings;
import mdo.config.SubscriberSettings;
import mdo.devcluster.DevCluster;
import mdo.devcluster.Settings;
import mdo.registry.Etcd;
import mdo.registry.EtcdSettings;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;
import mdo.subscriber.Subscriber;
import mdo.subscriber.SubscriberConfig;
import mdo.testkit.EtcdServer;

/**
 * Everything a user runs, in one test: a real etcd, the dev cluster (in-process, port 0, its own state dir), the
 * subscriber (in-process, port 0) and a config.yaml for a command-only service running the real sample program
 * ({@code bin/sample-peer}) as local processes. Commands run the way a user types them: launcher and updater
 * in-process through their {@code run(args, terminal, poll)}, guestutils as the real {@code bin/guestutils} process.
 *
 * <p>{@link #close()} stops everything and then checks that no process of the test survived (see {@link #close()}).
 */
final class Stack implements AutoCloseable {
  static final String TOKEN = "e2e-token-7d1f";
  static final String REGISTRATION_SECRET = "e2e-registration-5c2a";
  static final String SERVICE = "peers";
  static final Path REPO = Path.of(System.getProperty("mdo.repo.root", "..")).toAbsolutePath().normalize();
  private static final AtomicInteger ENVS = new AtomicInteger();

  final String env = "e2e" + ENVS.incrementAndGet() + "x" + ProcessHandle.current().pid();
  final String appId = "/" + env + "/" + SERVICE;
  final Path dir;
  final EtcdServer etcdServer;
  final Client etcd;
  final DevCluster cluster;
  final Subscriber subscriber;
  final Path config;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  Stack() throws IOException {
    dir = Files.createTempDirectory("mdo-e2e-");
    EtcdServer etcdStarted = null;
    DevCluster clusterStarted = null;
    Client etcdClient = null;
    try {
      // Our own etcd (not shared()): it is a child of this JVM, and the hygiene check wants none left.
      etcdStarted = EtcdServer.start();
      etcdClient = Etcd.client(EtcdSettings.of(etcdStarted.endpoint()));
      clusterStarted = DevCluster.start(Settings.defaults(dir.resolve("devcluster")).withPort(0)
          .withPortRange(37000, 37999).withHeartbeat(Duration.ofSeconds(1))
          .withDefaultKillGrace(Duration.ofSeconds(2)).withCallbackTimeout(Duration.ofSeconds(2)));
      subscriber = new Subscriber(subscriberConfig(etcdStarted.endpoint(), clusterStarted.url(), env)).start();
    } catch (RuntimeException e) {
      if (clusterStarted != null) clusterStarted.close();
      if (etcdClient != null) etcdClient.close();
      if (etcdStarted != null) etcdStarted.close();
      throw e;
    }
    etcdServer = etcdStarted;
    etcd = etcdClient;
    cluster = clusterStarted;
    config = dir.resolve("config.yaml");
    writeConfig(2);
  }

  /** A subscriber on a free loopback port with short timings, the test's tokens and loopback callbacks allowed. */
  static SubscriberConfig subscriberConfig(String etcdEndpoint, String marathonUrl, String env) {
    SubscriberSettings settings = new SubscriberSettings("127.0.0.1", 0, null, TOKEN, SubscriberSettings.EventSource.SSE,
        Duration.ofSeconds(60), null, Duration.ofSeconds(10), List.of("127.0.0.0/8"))
        .withRegistrationSecret(REGISTRATION_SECRET);
    MarathonSettings marathon = new MarathonSettings(List.of(URI.create(marathonUrl)), null, null, null, null,
        Duration.ofSeconds(5));
    SubscriberConfig.Tuning tuning = new SubscriberConfig.Tuning(Duration.ofMillis(500), Duration.ofMillis(50), 10_000,
        4, Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofSeconds(2));
    return new SubscriberConfig(EtcdSettings.of(etcdEndpoint), marathon, settings, env, tuning);
  }

  /** The demo's sample service under {@code services:}, for either backend. */
  static String peers(int instances) {
    return """
          peers:
            cmd: exec %s/bin/sample-peer
            network: host
            ports:
              http: 0
            instances: %d
            cpus: 0.1
            mem: 64
            health:
              protocol: http
              port: http
              path: /health
              grace: 30s
              interval: 1s
              timeout: 2s
        """.formatted(REPO, instances);
  }

  String subscriberUrl() {
    return "http://127.0.0.1:" + subscriber.port();
  }

  /** The config.yaml a user writes: the demo's, pointed at this test's dev cluster, etcd and subscriber. */
  void writeConfig(int instances) {
    write(config, """
        environment: %s
        marathon:
          url: %s
        etcd:
          endpoints: [%s]
        subscriber:
          host: 127.0.0.1
          port: %d
          token: %s
          registration-secret: %s
          callback-allow: [127.0.0.0/8]
        services:
        """.formatted(env, cluster.url(), etcdServer.endpoint(), subscriber.port(), TOKEN, REGISTRATION_SECRET)
        + peers(instances));
  }

  static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- the commands

  Result launcher(String... args) {
    return inProcess(args, mdo.launcher.Main::run);
  }

  Result updater(String... args) {
    return inProcess(args, mdo.updater.Main::run);
  }

  interface Command {
    int run(String[] args, Terminal terminal, Duration poll);
  }

  static Result inProcess(String[] args, Command command) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Terminal terminal = new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false, Map.of());
    int code = command.run(args, terminal, Duration.ofMillis(200));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** {@code bin/guestutils ARGS} as a real process with the environment a task gets (etcd and environment name). */
  Result guestutils(String... args) {
    return guestutils(dir, etcdServer.endpoint(), env, args);
  }

  /** {@code bin/guestutils ARGS}, run in {@code dir} with a task's {@code ETCD_ENDPOINTS} and {@code MDO_ENVIRONMENT}. */
  static Result guestutils(Path dir, String etcdEndpoint, String env, String... args) {
    List<String> command = new ArrayList<>();
    command.add(REPO.resolve("bin/guestutils").toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.environment().put("ETCD_ENDPOINTS", etcdEndpoint);
    builder.environment().put("MDO_ENVIRONMENT", env);
    Path out = dir.resolve("guestutils.out");
    Path err = dir.resolve("guestutils.err");
    builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    try {
      Process process = builder.start();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("bin/guestutils " + args + " hung for 30 s");
      } finally {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
      return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  // ---- what the user looks at

  /** The instance records of the service in etcd, by task id. */
  Map<String, InstanceRecord> registry() {
    Map<String, InstanceRecord> out = new TreeMap<>();
    try {
      for (KeyValue kv : etcd.getKVClient().get(Etcd.bytes(RegistryKeys.instances(env, SERVICE)),
          GetOption.builder().isPrefix(true).build()).get(5, TimeUnit.SECONDS).getKvs()) {
        InstanceRecord r = RegistryJson.read(kv.getValue().getBytes(), InstanceRecord.class, kv.getKey().toString());
        if (out.put(r.taskId(), r) != null) throw new AssertionError("two records for task " + r.taskId());
      }
    } catch (Exception e) {
      throw new AssertionError("cannot read etcd: " + e, e);
    }
    return out;
  }

  /** Waits until the registry holds exactly {@code n} ready records whose tasks the dev cluster runs. */
  Map<String, InstanceRecord> awaitRegistry(int n) {
    await("registry of " + n + " ready instances matching the dev cluster's tasks").atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100)).until(() -> {
          Map<String, InstanceRecord> records = registry();
          return records.size() == n && records.values().stream().allMatch(InstanceRecord::ready)
              && records.keySet().equals(runningTaskIds());
        });
    return registry();
  }

  /** The dev cluster's tasks of the service, as {@code GET /v2/apps/<id>/tasks} lists them. */
  List<JsonNode> tasks() {
    JsonNode body = getJson(cluster.url() + "/v2/apps" + appId + "/tasks");
    List<JsonNode> out = new ArrayList<>();
    body.path("tasks").forEach(out::add);
    return out;
  }

  java.util.Set<String> runningTaskIds() {
    java.util.Set<String> ids = new java.util.TreeSet<>();
    for (JsonNode t : tasks()) if (t.path("state").asText().equals("TASK_RUNNING")) ids.add(t.path("id").asText());
    return ids;
  }

  /** The apps the dev cluster knows ({@code GET /v2/apps}), by id. */
  List<String> marathonAppIds() {
    List<String> ids = new ArrayList<>();
    getJson(cluster.url() + "/v2/apps").path("apps").forEach(a -> ids.add(a.path("id").asText()));
    return ids;
  }

  /** The sample's {@code GET /} on a host port: the task behind it and the last signed notification it accepted. */
  JsonNode sampleStatus(String hostPort) {
    return getJson("http://" + hostPort + "/");
  }

  JsonNode getJson(String url) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("GET %s: %s", url, response.body()).isEqualTo(200);
      return RegistryJson.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static String address(InstanceRecord r) {
    return r.host() + ":" + r.ports().get("http").host();
  }

  /** What {@code node-list SERVICE --ports http} prints: {@code host:port} lines sorted by ordinal, then task id. */
  static List<String> nodeList(java.util.Collection<InstanceRecord> records) {
    return records.stream().sorted(Comparator.comparingInt(InstanceRecord::ordinal).thenComparing(InstanceRecord::taskId))
        .map(Stack::address).toList();
  }

  Path sandbox(String taskId) {
    return cluster.settings().stateDir().resolve("tasks").resolve(taskId);
  }

  /** The task's process, from the pid file the dev cluster keeps in its sandbox (as {@code bin/devcluster down} reads it). */
  ProcessHandle taskProcess(String taskId) {
    try {
      long pid = Long.parseLong(Files.readString(sandbox(taskId).resolve("pid")).trim().split(" ")[0]);
      return ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("task " + taskId + " has no live process " + pid));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String stdout(String taskId) {
    try {
      return Files.readString(sandbox(taskId).resolve("stdout"));
    } catch (IOException e) {
      return "(no stdout: " + e + ")";
    }
  }

  /**
   * Lines where a sample refused a notification. The subscriber signs every one, so any refusal is a bug a demo user
   * would see in the task logs.
   */
  List<String> refusedNotifications() {
    List<String> out = new ArrayList<>();
    try (Stream<Path> sandboxes = Files.list(cluster.settings().stateDir().resolve("tasks"))) {
      for (Path sandbox : sandboxes.toList()) {
        Path stdout = sandbox.resolve("stdout");
        if (!Files.exists(stdout)) continue;
        Files.readAllLines(stdout).stream().filter(l -> l.contains("refused"))
            .forEach(l -> out.add(sandbox.getFileName() + ": " + l));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  // ---- hygiene

  /**
   * Stops the subscriber, the dev cluster (which stops its tasks) and etcd, then checks that nothing of the test
   * survived: no live descendant of this JVM, and no process anywhere whose environment names a sandbox under this
   * test's state dir (a task re-parented to init would not be a descendant). Survivors are killed, then reported.
   */
  @Override
  public void close() {
    try {
      subscriber.close();
    } finally {
      try {
        cluster.close();
      } finally {
        etcd.close();
        etcdServer.close();
      }
    }
    assertNothingLeft(dir);
  }

  /**
   * Waits until no descendant of this JVM and no task with a sandbox under {@code dir} runs (survivors are killed,
   * then reported), and deletes {@code dir}.
   */
  static void assertNothingLeft(Path dir) {
    try {
      await("no process of the test left").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
          .untilAsserted(() -> {
            assertThat(descendants()).as("live descendants of the test JVM").isEmpty();
            assertThat(tasksUnder(dir)).as("processes with a task sandbox under " + dir).isEmpty();
          });
    } catch (AssertionError | RuntimeException e) {
      Stream.concat(ProcessHandle.current().descendants(), tasksUnder(dir).stream().map(ProcessHandle::of)
          .flatMap(java.util.Optional::stream)).forEach(ProcessHandle::destroyForcibly);
      throw e;
    }
    deleteRecursively(dir);
  }

  /** Live descendants, but not the transient {@code kill} helpers the dev cluster runs to signal process groups. */
  static List<String> descendants() {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
        .filter(p -> !p.info().command().orElse("").endsWith("/kill"))
        .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
  }

  /** Pids of processes whose environment has {@code MESOS_SANDBOX=<dir>...}, read from /proc. */
  static List<Long> tasksUnder(Path dir) {
    byte[] marker = ("MESOS_SANDBOX=" + dir).getBytes(StandardCharsets.UTF_8);
    List<Long> found = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          byte[] environ = Files.readAllBytes(proc.resolve("environ"));
          if (contains(environ, marker)) found.add(Long.parseLong(proc.getFileName().toString()));
        } catch (IOException | SecurityException gone) {
          // the process ended, or is not ours to read
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return found;
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) continue outer;
      }
      return true;
    }
    return false;
  }

  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp dir left behind is harmless
    }
  }
}
