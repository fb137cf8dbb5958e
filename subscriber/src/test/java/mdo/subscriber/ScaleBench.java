package mdo.subscriber;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import mdo.registry.Etcd;
import mdo.registry.EtcdRanges;
import mdo.registry.EtcdSettings;
import mdo.registry.RegistryKeys;
import mdo.testkit.EtcdServer;
import mdo.testkit.MarathonSimulation;
import mdo.testkit.Payloads;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * {@code bin/bench-subscriber scale}: the registry at cluster scale. {@link #INSTANCES} instances over
 * {@link #SERVICES} services (one of {@link #BIG} instances), listed by a Marathon simulation in Marathon's own task
 * format (three named ports, labels), kept by {@code bin/subscriber} as a process of its own (default JVM options, as
 * users run it) against a real etcd. Prints: the first resync into an empty registry, resyncs with nothing changed
 * (time, writes), a resync after a quarter of the tasks vanished without an event (and whether exactly those went),
 * {@code bin/guestutils node-list} of the big service from a cold CLI, and the subscriber's resident memory throughout.
 */
final class ScaleBench {
  /** Sizes can be made smaller for a quick look: {@code -Dmdo.bench.instances=2000 -Dmdo.bench.big=800}. */
  static final int INSTANCES = Integer.getInteger("mdo.bench.instances", 50_000);
  static final int BIG = Integer.getInteger("mdo.bench.big", 20_000);
  static final int SERVICES = 31;
  static final int CLI_RUNS = 5;
  static final String ENV = "scale";
  static final String V1 = "2025-12-31T23:00:00.000Z";
  static final String TOKEN = "bench-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path root = Path.of("").toAbsolutePath();
  private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
  private final List<String> taskIds = new ArrayList<>();
  private int port;
  private Process subscriber;
  private final AtomicLong rssPeakKb = new AtomicLong();

  /** Held: JUL forgets the level of a logger nobody references. */
  private static final java.util.logging.Logger GRPC = java.util.logging.Logger.getLogger("io.grpc");

  static void run() throws Exception {
    GRPC.setLevel(java.util.logging.Level.WARNING); // this JVM's own etcd client
    new ScaleBench().bench();
  }

  private void bench() throws Exception {
    try (EtcdServer etcd = EtcdServer.start(); MarathonSimulation marathon = new MarathonSimulation().start();
        Client client = Etcd.client(EtcdSettings.of(etcd.endpoint()))) {
      System.out.printf("machine: %d cores, Java %s, etcd %s; %,d instances over %d services (one of %,d)%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), etcd.endpoint(), INSTANCES,
          SERVICES, BIG);
      fill(marathon);
      // Marathon writes a blank line every 10 s; without it the subscriber takes the stream for dead and resyncs
      ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();
      heartbeats.scheduleAtFixedRate(marathon::heartbeat, 10, 10, TimeUnit.SECONDS);
      startSubscriber(etcd.endpoint(), marathon.url());
      Thread sampler = sampleRss();
      try {
        JsonNode first = awaitResync(Instant.EPOCH, Duration.ofMinutes(10));
        System.out.printf("first resync into an empty registry: %s (%,d records created, each with its ordinal claim"
            + " in the same transaction)%n", took(first), first.path("created").asInt());
        long stored = count(client, RegistryKeys.services(ENV));
        byte[] one = client.getKVClient().get(Etcd.bytes(RegistryKeys.services(ENV)), GetOption.builder().isPrefix(true)
            .withLimit(1).build()).get(10, TimeUnit.SECONDS).getKvs().get(0).getValue().getBytes();
        System.out.printf("etcd holds %,d instance records (a record as the subscriber wrote it: %d bytes, %.1f MB in"
            + " all)%n", stored, one.length, stored * one.length / 1e6);
        check(stored == INSTANCES, "etcd holds " + stored + " records, not " + INSTANCES);

        List<String> unchanged = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          JsonNode last = resync();
          check(last.path("writes").asInt() == 0, "a resync with nothing changed wrote " + last.path("writes"));
          unchanged.add(took(last) + ", " + last.path("writes").asInt() + " writes");
        }
        System.out.printf("resync of %,d records with nothing changed: %s (target < 5 s, 0 writes)%n", INSTANCES,
            unchanged);

        nodeLists(etcd.endpoint());

        Set<String> vanished = new HashSet<>();
        for (int i = 0; i < taskIds.size(); i += 4) vanished.add(taskIds.get(i));
        for (String task : vanished) marathon.removeTask(task); // no event: only a resync can notice
        JsonNode after = resync();
        Set<String> left = storedTasks(client);
        Set<String> expected = new HashSet<>(taskIds);
        expected.removeAll(vanished);
        System.out.printf("resync after %,d of %,d tasks (25%%) vanished without an event: %s, deleted %,d; the"
            + " registry holds exactly the remaining %,d tasks: %s%n", vanished.size(), INSTANCES, took(after),
            after.path("deleted").asInt(), expected.size(), left.equals(expected));
        check(after.path("deleted").asInt() == vanished.size() && left.equals(expected),
            "the resync did not remove exactly the vanished tasks");
        JsonNode again = resync();
        System.out.printf("resync of %,d records with nothing changed: %s, %d writes%n", expected.size(), took(again),
            again.path("writes").asInt());
      } finally {
        sampler.interrupt();
        sampler.join();
        long hwm = statusKb("VmHWM");
        System.out.printf("subscriber resident memory: peak %.0f MB (kernel's high-water mark %.0f MB), now %.0f MB"
            + " (target < 1 GB); JVM options: %s%n", rssPeakKb.get() / 1024.0, hwm / 1024.0, statusKb("VmRSS") / 1024.0,
            System.getenv().getOrDefault("MDO_JAVA_OPTS", "bin/subscriber's defaults"));
        stopSubscriber();
        heartbeats.shutdownNow();
      }
    }
    http.dispatcher().executorService().shutdown();
  }

  // ---- the cluster

  /** Apps with three named ports and a team's labels; tasks in Marathon's format, the first service the big one. */
  private void fill(MarathonSimulation marathon) {
    ObjectNode template = (ObjectNode) Payloads.marathonJson("tasks_get_response.json").path("tasks").get(0);
    int n = 0;
    for (int s = 0; s < SERVICES; s++) {
      String service = s == 0 ? "cassandra" : "svc" + s;
      marathon.putApp(app(service, s));
      int count = s == 0 ? BIG : (INSTANCES - BIG) / (SERVICES - 1);
      for (int i = 0; i < count; i++, n++) {
        String taskId = ENV + "_" + service + ".instance-" + String.format("%08x-7d3b-11ee-b9d1-%012x", n, n)
            + "._app.1";
        ObjectNode t = template.deepCopy();
        t.put("id", taskId).put("appId", "/" + ENV + "/" + service)
            .put("host", String.format("ip-10-%d-%d-%d.ec2.internal", n >> 16 & 255, n >> 8 & 255, n & 255))
            // staged before the simulation's stream says it attached (its event_stream_attached is dated V1), as
            // Marathon's own clock would have it
            .put("version", V1).put("state", "TASK_RUNNING").put("stagedAt", "2025-12-31T23:00:01.000Z")
            .put("startedAt", "2025-12-31T23:00:05.000Z")
            .put("slaveId", String.format("ba2b4f2b-64de-4b8e-9b46-3c1d7e5f%04x-S%d", n % 65536, n % 97));
        ArrayNode ports = t.putArray("ports");
        ports.add(31000 + n % 1000).add(32000 + n % 1000).add(33000 + n % 1000);
        marathon.putTask(t);
        taskIds.add(taskId);
      }
    }
  }

  private static ObjectNode app(String service, int s) {
    ObjectNode app = Payloads.marathonJson("networking-1.4-vs-1.5/bridge-net-new.json");
    app.put("id", "/" + ENV + "/" + service).put("version", V1).put("instances", service.equals("cassandra") ? BIG : 1000);
    ArrayNode mappings = app.with("container").putArray("portMappings");
    mappings.addObject().put("containerPort", 7000).put("hostPort", 0).put("protocol", "tcp").put("name", "storage");
    mappings.addObject().put("containerPort", 9042).put("hostPort", 0).put("protocol", "tcp").put("name", "native");
    mappings.addObject().put("containerPort", 7199).put("hostPort", 0).put("protocol", "tcp").put("name", "jmx");
    app.putObject("labels").put("MDO_SERVICE", service).put("MDO_ENVIRONMENT", ENV).put("team", "storage-platform")
        .put("rack", "r" + s % 4);
    return app;
  }

  // ---- the subscriber process

  private void startSubscriber(String etcd, String marathon) throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path log = root.resolve("subscriber/target/bench-scale-subscriber.log");
    ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/subscriber").toString(), "--marathon", marathon, "--etcd",
        etcd, "--environment", ENV, "--port", String.valueOf(port), "--resync-interval", "3600");
    pb.environment().put("MDO_SUBSCRIBER_TOKEN", TOKEN);
    subscriber = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(subscriber::destroyForcibly));
    System.out.printf("subscriber: bin/subscriber, pid %d, log %s%n", subscriber.pid(), root.relativize(log));
  }

  private void stopSubscriber() throws InterruptedException {
    subscriber.destroy();
    if (!subscriber.waitFor(20, TimeUnit.SECONDS)) subscriber.destroyForcibly();
  }

  /** Samples the subscriber's resident set every 100 ms. */
  private Thread sampleRss() {
    Thread t = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        rssPeakKb.accumulateAndGet(statusKb("VmRSS"), Math::max);
        LockSupport.parkNanos(100_000_000);
      }
    }, "rss-sampler");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private long statusKb(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + subscriber.pid() + "/status"))) {
        if (line.startsWith(field + ":")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    } catch (IOException e) {
      return 0; // it ended
    }
    return 0;
  }

  /** Asks for a resync and returns its result, once one that started after the request completed. */
  private JsonNode resync() throws IOException {
    Instant asked = Instant.now();
    try (Response r = http.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/v1/resync")
        .header("Authorization", "Bearer " + TOKEN).post(RequestBody.create("{}", MediaType.get("application/json")))
        .build()).execute()) {
      check(r.code() == 202, "POST /v1/resync answered " + r.code());
    }
    return awaitResync(asked, Duration.ofMinutes(5));
  }

  /** /health's resync section once it shows a resync that started at or after {@code after} and completed. */
  private JsonNode awaitResync(Instant after, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      check(subscriber.isAlive(), "the subscriber exited: see its log");
      JsonNode resync = health().path("resync");
      String at = resync.path("lastAt").asText(null);
      if (at != null && !Instant.parse(at).isBefore(after)) {
        check(resync.path("failingSince").isNull(), "resync failed: " + resync.path("result").asText());
        return resync;
      }
      LockSupport.parkNanos(50_000_000);
    }
    throw new IllegalStateException("no resync within " + timeout);
  }

  private JsonNode health() throws IOException {
    try (Response r = http.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/health").build()).execute()) {
      return JSON.readTree(r.body().string());
    } catch (java.net.ConnectException e) {
      return JSON.createObjectNode(); // still starting
    }
  }

  private static String took(JsonNode resync) {
    return String.format("%.2f s", resync.path("tookMillis").asLong() / 1e3);
  }

  // ---- guestutils

  /** {@code bin/guestutils node-list} of the big service, a new JVM each run, as a container's start script runs it. */
  private void nodeLists(String etcd) throws Exception {
    Path cache = root.resolve("guestutils/target/bench-scale-cds");
    if (Files.isDirectory(cache)) { // a fresh archive, so the first run below is the one that makes it
      try (var files = Files.walk(cache)) {
        for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
      }
    }
    double archiving = nodeList(etcd, cache); // the first run makes the AppCDS archive, as an image build would
    List<Double> runs = new ArrayList<>();
    for (int i = 0; i < CLI_RUNS; i++) runs.add(nodeList(etcd, cache));
    List<Double> sorted = runs.stream().sorted().toList();
    System.out.printf("bin/guestutils node-list cassandra --ports storage,native (%,d nodes) from a cold CLI: median"
        + " %.2f s, max %.2f s over %d runs (target < 3 s); the very first run, which makes the AppCDS archive: %.2f s%n",
        BIG, sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1), CLI_RUNS, archiving);
  }

  private double nodeList(String etcd, Path cache) throws Exception {
    Path out = Files.createTempFile("mdo-node-list-", ".txt");
    try {
      ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/guestutils").toString(), "node-list", "cassandra",
          "--ports", "storage,native", "--minimum", "0");
      pb.environment().put("ETCD_ENDPOINTS", etcd);
      pb.environment().put("MDO_ENVIRONMENT", ENV);
      pb.environment().put("MDO_CACHE_DIR", cache.toString());
      long t0 = System.nanoTime();
      Process p = pb.redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      check(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "bin/guestutils node-list failed");
      double seconds = (System.nanoTime() - t0) / 1e9;
      long lines = Files.readAllLines(out, StandardCharsets.UTF_8).size();
      check(lines == BIG, "node-list printed " + lines + " nodes, not " + BIG);
      return seconds;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  // ---- etcd

  static long count(Client client, String prefix) throws Exception {
    return client.getKVClient().get(Etcd.bytes(prefix), GetOption.builder().isPrefix(true).withCountOnly(true).build())
        .get(10, TimeUnit.SECONDS).getCount();
  }

  /** The task ids of every instance record in etcd, read in pages. */
  static Set<String> storedTasks(Client client) throws Exception {
    Set<String> tasks = new HashSet<>();
    EtcdRanges.scan(client.getKVClient(), RegistryKeys.services(ENV), Duration.ofSeconds(10), tasks::clear, kv -> {
      String key = kv.getKey().toString();
      tasks.add(key.substring(key.lastIndexOf('/') + 1));
    });
    return tasks;
  }

  static void check(boolean ok, String failure) {
    if (!ok) throw new IllegalStateException(failure);
  }
}
