package mdo.devcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

/** A dev cluster on port 0 with short timers, an OkHttp client for it, and event recording over real SSE. */
final class Harness implements AutoCloseable {
  static final MediaType JSON = MediaType.get("application/json");
  /** The agent's ports resource in tests; fixed host ports must come from here to be launched. */
  static final int AGENT_PORTS_START = 35000;
  static final int AGENT_PORTS_END = 35999;
  final Path dir;
  final DevCluster cluster;
  final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
  final String url;

  record Reply(int code, Headers headers, String body) {
    JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body, e);
      }
    }
  }

  private Harness(Path dir, DevCluster cluster) {
    this.dir = dir;
    this.cluster = cluster;
    this.url = cluster.url();
  }

  static Harness start() {
    return start(s -> s);
  }

  static Harness start(UnaryOperator<Settings> tweak) {
    try {
      Path dir = Files.createTempDirectory("mdo-devcluster-test-");
      Settings settings = Settings.defaults(dir).withPort(0).withPortRange(AGENT_PORTS_START, AGENT_PORTS_END)
          .withHeartbeat(Duration.ofMillis(300)).withDefaultKillGrace(Duration.ofSeconds(1))
          .withCallbackTimeout(Duration.ofSeconds(1));
      return new Harness(dir, DevCluster.start(tweak.apply(settings)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A port of the agent's range that nothing binds now, taken from the top, where dynamic allocation (from the
   * bottom, round robin) comes last.
   */
  static int freeAgentPort() {
    for (int port = AGENT_PORTS_END; port > AGENT_PORTS_START; port--) {
      try (java.net.ServerSocket probe = new java.net.ServerSocket(port)) {
        return port;
      } catch (IOException taken) {
        // try the next one
      }
    }
    throw new IllegalStateException("no free port in the agent's range");
  }

  Reply call(String method, String path, String body) {
    RequestBody requestBody = body == null ? (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")
        ? RequestBody.create(new byte[0], JSON) : null) : RequestBody.create(body, JSON);
    Request request = new Request.Builder().url(url + path).method(method, requestBody).build();
    try (Response response = http.newCall(request).execute()) {
      return new Reply(response.code(), response.headers(), response.body().string());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JsonNode get(String path) {
    Reply reply = call("GET", path, null);
    assertThat(reply.code()).as("GET %s: %s", path, reply.body()).isEqualTo(200);
    return reply.json();
  }

  Reply post(String path, String body) {
    return call("POST", path, body);
  }

  /** Creates an app and waits for its deployment to finish. */
  JsonNode deploy(String appJson) {
    Reply reply = post("/v2/apps", appJson);
    assertThat(reply.code()).as(reply.body()).isEqualTo(201);
    awaitNoDeployments(reply.json().get("id").asText());
    return reply.json();
  }

  void awaitNoDeployments(String appId) {
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      for (JsonNode d : get("/v2/deployments")) {
        for (JsonNode a : d.get("affectedApps")) if (a.asText().equals(appId)) return false;
      }
      return true;
    });
  }

  List<JsonNode> tasks(String appId) {
    List<JsonNode> out = new ArrayList<>();
    get("/v2/apps" + appId + "/tasks").get("tasks").forEach(out::add);
    return out;
  }

  List<JsonNode> awaitRunning(String appId, int count) {
    await().atMost(Duration.ofSeconds(20)).until(() -> tasks(appId).stream()
        .filter(t -> t.get("state").asText().equals("TASK_RUNNING")).count() == count && tasks(appId).size() == count);
    return tasks(appId);
  }

  Path sandbox(String taskId) {
    return dir.resolve("tasks").resolve(taskId);
  }

  static Set<String> fields(JsonNode node) {
    Set<String> out = new HashSet<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) out.add(it.next());
    return out;
  }

  /** A payload of this module's {@code reference/marathon/} test resources (see SOURCES.md there). */
  static JsonNode reference(String name) {
    try (java.io.InputStream in = Harness.class.getClassLoader().getResourceAsStream("reference/marathon/" + name)) {
      if (in == null) throw new IllegalArgumentException("no test resource reference/marathon/" + name);
      return Json.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The {@code /v2/queue} entry of the app, or null. */
  JsonNode queueEntry(String appId) {
    for (JsonNode e : get("/v2/queue").get("queue")) {
      if (e.path("app").path("id").asText().equals(appId)) return e;
    }
    return null;
  }

  static JsonNode tree(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode parse(String json) {
    try {
      return (ObjectNode) Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every event of {@code /v2/events}, read with okhttp-sse as a client would. */
  Recorder record(String query) {
    Recorder recorder = new Recorder();
    Request request = new Request.Builder().url(url + "/v2/events" + query).header("Accept", "text/event-stream").build();
    recorder.source = EventSources.createFactory(http.newBuilder().readTimeout(Duration.ZERO).build())
        .newEventSource(request, recorder);
    try {
      assertThat(recorder.opened.await(10, TimeUnit.SECONDS)).as("event stream opened").isTrue();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    return recorder;
  }

  static final class Recorder extends EventSourceListener implements AutoCloseable {
    record Event(String type, JsonNode data) {}

    final LinkedBlockingDeque<Event> events = new LinkedBlockingDeque<>();
    final List<Event> seen = new ArrayList<>();
    final java.util.concurrent.CountDownLatch opened = new java.util.concurrent.CountDownLatch(1);
    EventSource source;

    @Override
    public void onOpen(EventSource source, Response response) {
      opened.countDown();
    }
    volatile Throwable failure;

    @Override
    public void onEvent(EventSource source, String id, String type, String data) {
      try {
        events.add(new Event(type, Json.MAPPER.readTree(data)));
      } catch (IOException e) {
        failure = e;
      }
    }

    @Override
    public void onFailure(EventSource source, Throwable t, Response response) {
      failure = t;
    }

    /** The next event matching, skipping others (kept in {@link #seen}); fails after the timeout. */
    Event next(Predicate<Event> wanted, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        long left = deadline - System.nanoTime();
        Event e;
        try {
          e = events.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
        } catch (InterruptedException ex) {
          throw new AssertionError(ex);
        }
        if (e == null) throw new AssertionError("no matching event within " + timeout + "; saw " + seen.stream().map(x -> x.type() + (x.type().equals("status_update_event") ? x.data().get("taskId").asText().replaceAll(".*_app", "") + x.data().get("taskStatus").asText() : "")).toList());
        seen.add(e);
        if (wanted.test(e)) return e;
      }
    }

    Event next(String type) {
      return next(e -> e.type().equals(type), Duration.ofSeconds(20));
    }

    Event next(String type, Predicate<JsonNode> data) {
      return next(type, data, Duration.ofSeconds(20));
    }

    Event next(String type, Predicate<JsonNode> data, Duration timeout) {
      return next(e -> e.type().equals(type) && data.test(e.data()), timeout);
    }

    List<String> types() {
      return seen.stream().map(Event::type).toList();
    }

    @Override
    public void close() {
      source.cancel();
    }
  }

  /**
   * Stops the dev cluster and checks that no process it started outlives it: neither a descendant of this JVM nor a
   * re-parented orphan, found by the task sandbox ({@code MESOS_SANDBOX} under this harness's dir) in its environment.
   */
  @Override
  public void close() {
    cluster.close();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
          .filter(p -> !p.info().command().orElse("").endsWith("/kill")).map(p -> p.pid() + " "
              + p.info().commandLine().orElse("?")).toList()).as("processes left after close").isEmpty();
      assertThat(withSandboxUnder(dir)).as("orphaned task processes left after close").isEmpty();
    });
  }

  static List<String> withSandboxUnder(Path dir) {
    List<String> found = new ArrayList<>();
    byte[] marker = ("MESOS_SANDBOX=" + dir).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          byte[] environ = Files.readAllBytes(proc.resolve("environ"));
          if (indexOf(environ, marker) >= 0) found.add(proc.getFileName().toString());
        } catch (IOException | SecurityException gone) {
          // the process ended or is not ours to read
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return found;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }
}
