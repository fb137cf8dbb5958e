package mdo.subscriber;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mdo.config.MarathonSettings;
import mdo.config.SubscriberSettings;
import mdo.registry.Etcd;
import mdo.registry.EtcdSettings;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryJson;
import mdo.testkit.MarathonSimulation;
import mdo.testkit.Payloads;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * A subscriber wired to a {@link MarathonSimulation} and a real etcd for one test, with an environment of its own and
 * shortened timings. Test data comes from the recorded payloads: apps from the 1.5 networking guide, tasks shaped like
 * {@code tasks_get_response.json}, events from {@code status_update_event.sse-task-running.json}.
 */
final class Harness implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String V1 = "2026-01-01T00:00:00.000Z";
  static final String TOKEN = "test-token-4f1c";
  /** How long the subscriber waits for Marathon, listings included: a slower answer is a timeout. */
  static final Duration MARATHON_TIMEOUT = Duration.ofSeconds(2);
  private static final AtomicInteger ENVS = new AtomicInteger();

  final String env;
  final String appId;
  final MarathonSimulation marathon;
  final String etcdEndpoint;
  final EtcdSettings etcdSettings;
  final Client etcd;
  final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(10)).build();
  Subscriber subscriber;
  private final List<Subscriber> others = new ArrayList<>();

  Harness(String etcdEndpoint) {
    this(EtcdSettings.of(etcdEndpoint));
  }

  Harness(EtcdSettings etcdSettings) {
    this(etcdSettings, "s" + ENVS.incrementAndGet() + "x" + ProcessHandle.current().pid());
  }

  /** A harness for {@code env}, whose etcd client uses {@code etcdSettings} (and so does the subscriber's). */
  Harness(EtcdSettings etcdSettings, String env) {
    this.env = env;
    this.appId = "/" + env + "/web";
    this.etcdSettings = etcdSettings;
    this.etcdEndpoint = etcdSettings.endpointList();
    this.marathon = new MarathonSimulation().start();
    this.etcd = Etcd.client(etcdSettings);
    marathon.putApp(app("web", V1));
  }

  static SubscriberConfig.Tuning fastTuning() {
    return fastTuning(Duration.ofMillis(50));
  }

  /** {@link #fastTuning()} with another window in which app-change hints coalesce into one refetch. */
  static SubscriberConfig.Tuning fastTuning(Duration refreshDelay) {
    return new SubscriberConfig.Tuning(Duration.ofMillis(200), refreshDelay, 100_000, 4,
        Duration.ofSeconds(1), Duration.ofMillis(20), Duration.ofMillis(300), Duration.ofMillis(100),
        Duration.ofSeconds(1));
  }

  SubscriberConfig config(List<String> marathonUrls, SubscriberSettings.EventSource source,
      SubscriberConfig.Tuning tuning) {
    return config(marathonUrls, source, tuning, null, List.of());
  }

  /** @param resyncUnhealthyAfter how long resyncs may fail before /health says 503; null for the default */
  SubscriberConfig config(List<String> marathonUrls, SubscriberSettings.EventSource source,
      SubscriberConfig.Tuning tuning, Duration resyncUnhealthyAfter) {
    return config(marathonUrls, source, tuning, resyncUnhealthyAfter, List.of());
  }

  /** @param callbackAllow hosts and networks callback receivers may be at ({@code 127.0.0.0/8}: this host's too) */
  SubscriberConfig config(List<String> marathonUrls, SubscriberSettings.EventSource source,
      SubscriberConfig.Tuning tuning, List<String> callbackAllow) {
    return config(marathonUrls, source, tuning, null, callbackAllow);
  }

  SubscriberConfig config(List<String> marathonUrls, SubscriberSettings.EventSource source,
      SubscriberConfig.Tuning tuning, Duration resyncUnhealthyAfter, List<String> callbackAllow) {
    SubscriberSettings settings = new SubscriberSettings("127.0.0.1", 0, null, TOKEN, source, Duration.ofSeconds(60),
        resyncUnhealthyAfter, Duration.ofSeconds(5), callbackAllow);
    MarathonSettings m = new MarathonSettings(marathonUrls.stream().map(URI::create).toList(), null, null, null, null,
        MARATHON_TIMEOUT, MARATHON_TIMEOUT);
    return new SubscriberConfig(etcdSettings, m, settings, env, tuning);
  }

  Subscriber start() {
    return start(config(List.of(marathon.url()), SubscriberSettings.EventSource.SSE, fastTuning()));
  }

  Subscriber start(SubscriberConfig config) {
    subscriber = new Subscriber(config).start();
    await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.lastResync() != null);
    return subscriber;
  }

  void stopSubscriber() {
    if (subscriber != null) subscriber.close();
    subscriber = null;
  }

  /** Another subscriber of the same environment, started (it leads only if nobody does); closed with the harness. */
  Subscriber another() {
    return another(config(List.of(marathon.url()), SubscriberSettings.EventSource.SSE, fastTuning()));
  }

  Subscriber another(SubscriberConfig config) {
    Subscriber s = new Subscriber(config);
    others.add(s);
    return s.start();
  }

  // ---- test data

  ObjectNode app(String service, String version) {
    ObjectNode app = Payloads.marathonJson("networking-1.4-vs-1.5/bridge-net-new.json");
    app.put("id", "/" + env + "/" + service).put("version", version).put("instances", 3);
    app.putObject("labels").put("MDO_SERVICE", service).put("MDO_ENVIRONMENT", env);
    return app;
  }

  String taskId(int n) {
    return env + "_web.instance-" + String.format("%08x-0000-1000-8000-%012x", n, n) + "._app.1";
  }

  ObjectNode task(int n) {
    ObjectNode t = (ObjectNode) Payloads.marathonJson("tasks_get_response.json").path("tasks").get(0);
    t.put("id", taskId(n)).put("appId", appId).put("host", "10.0.0." + n).put("version", V1).put("state", "TASK_RUNNING");
    t.putArray("ports").add(31000 + n);
    return t;
  }

  String status(int n, String state, int second) {
    ObjectNode e = Payloads.marathonJson("events/status_update_event.sse-task-running.json");
    e.put("appId", appId).put("taskId", taskId(n)).put("taskStatus", state).put("host", "10.0.0." + n)
        .put("timestamp", String.format("2026-01-01T00:%02d:%02d.000Z", second / 60, second % 60)).put("version", V1);
    ((ArrayNode) e.putArray("ports")).add(31000 + n);
    return e.toString();
  }

  // ---- reading etcd

  /** Instance records of this test's environment by task id. */
  Map<String, InstanceRecord> registry() {
    Map<String, InstanceRecord> out = new TreeMap<>();
    try {
      for (KeyValue kv : etcd.getKVClient().get(Etcd.bytes("/mdo/" + env + "/services/"),
          GetOption.builder().isPrefix(true).build()).get(5, TimeUnit.SECONDS).getKvs()) {
        InstanceRecord r = RegistryJson.read(kv.getValue().getBytes(), InstanceRecord.class, kv.getKey().toString());
        if (out.put(r.taskId(), r) != null) throw new AssertionError("duplicate record for " + r.taskId());
      }
    } catch (Exception e) {
      throw new AssertionError("cannot read etcd: " + e, e);
    }
    return out;
  }

  /** The mod revision of every instance key of this test's environment, by key: changes with every write. */
  Map<String, Long> revisions() {
    Map<String, Long> out = new TreeMap<>();
    try {
      for (KeyValue kv : etcd.getKVClient().get(Etcd.bytes("/mdo/" + env + "/services/"),
          GetOption.builder().isPrefix(true).build()).get(5, TimeUnit.SECONDS).getKvs()) {
        out.put(kv.getKey().toString(), kv.getModRevision());
      }
    } catch (Exception e) {
      throw new AssertionError("cannot read etcd: " + e, e);
    }
    return out;
  }

  void awaitRegistry(java.util.function.Predicate<Map<String, InstanceRecord>> condition) {
    awaitRegistry(condition, Duration.ofSeconds(10));
  }

  /** A subscriber in a fresh JVM loads jetcd, gRPC and Javalin first: on a loaded 2-core machine that takes seconds. */
  void awaitRegistry(java.util.function.Predicate<Map<String, InstanceRecord>> condition, Duration atMost) {
    await().atMost(atMost).pollInterval(Duration.ofMillis(20)).until(this::registry, condition);
  }

  // ---- talking to the subscriber

  String base() {
    return base(subscriber);
  }

  static String base(Subscriber s) {
    return "http://127.0.0.1:" + s.port();
  }

  /** @param leader the leader a standby forwarded the request to ({@code X-Mdo-Leader}), or null */
  record Reply(int code, String body, String leader) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }
  }

  Reply get(String path) {
    return get(subscriber, path);
  }

  Reply get(Subscriber s, String path) {
    return call(new Request.Builder().url(base(s) + path).build());
  }

  Reply get(String path, String token) {
    return get(subscriber, path, token);
  }

  Reply get(Subscriber s, String path, String token) {
    return call(new Request.Builder().url(base(s) + path).header("Authorization", "Bearer " + token).build());
  }

  /** The path Marathon's callbacks go to: {@code /callback/<secret>}. */
  String callbackPath() {
    return URI.create(subscriber.callbackUrl()).getPath();
  }

  Reply post(String path, String body, String token) {
    return post(subscriber, path, body, token);
  }

  Reply post(Subscriber s, String path, String body, String token) {
    Request.Builder b = new Request.Builder().url(base(s) + path)
        .post(RequestBody.create(body, MediaType.get("application/json")));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return call(b.build());
  }

  private Reply call(Request request) {
    try (Response r = http.newCall(request).execute()) {
      return new Reply(r.code(), r.body().string(), r.header(LeaderProxy.LEADER));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The value of a Prometheus sample, summed over the lines whose name and labels contain {@code match}. */
  double metric(String name, String... labels) {
    return metric(subscriber, name, labels);
  }

  double metric(Subscriber s, String name, String... labels) {
    return sum(get(s, "/metrics").body(), name, labels);
  }

  /** The value of a Prometheus sample in {@code scrape}, summed over the lines whose name and labels match. */
  static double sum(String scrape, String name, String... labels) {
    double sum = 0;
    for (String line : scrape.split("\n")) {
      if (line.startsWith("#") || !line.startsWith(name)) continue;
      boolean all = true;
      for (String l : labels) all &= line.contains(l);
      if (all) sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }

  @Override
  public void close() {
    others.forEach(Subscriber::close);
    stopSubscriber();
    etcd.close();
    marathon.close();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  static List<String> list(String... s) {
    return new ArrayList<>(List.of(s));
  }
}
