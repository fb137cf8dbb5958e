package mdo.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okio.BufferedSink;

/**
 * A Marathon that tests talk to over real HTTP on loopback: REST reads from an in-memory app and task state, and a real
 * {@code /v2/events} SSE stream framed as Marathon frames it.
 *
 * <ol>
 *   <li>{@link #start()} binds a free loopback port; {@link #url()} is the base URL. {@link #close()} ends every open
 *       stream and stops the server.
 *   <li>State: {@link #putApp} (app JSON as Marathon returns it, e.g. from {@code Payloads}) and {@link #putTask}/
 *       {@link #removeTask}. Served at {@code GET /v2/apps[?label=K==V]}, {@code /v2/apps/{id}},
 *       {@code /v2/apps/{id}/versions/{v}} (every version ever put), {@code /v2/apps/{id}/tasks}, {@code /v2/tasks},
 *       {@code /v2/leader}, and {@code GET/POST/DELETE /v2/eventSubscriptions}. Unknown apps get Marathon's 404 body.
 *   <li>{@code GET /v2/events} answers 405 unless {@code Accept} is exactly {@code text/event-stream}; otherwise 200
 *       with Marathon's headers and a body that stays open, starting with {@code event_stream_attached} stamped with
 *       the simulated clock (the latest time of an event emitted so far: Marathon's clock never runs back). {@link #emit} writes
 *       {@code event: <type>\r\ndata: <json>\r\n\r\n} to every open stream, {@link #emitRaw} writes bytes as given,
 *       {@link #heartbeat} writes Marathon's blank line, {@link #dropStreams} ends every open stream (EOF), and
 *       {@link #stallStreams} keeps new streams open without writing anything.
 *   <li>{@link #redirectEventsTo} makes this instance a standby: {@code /v2/events} answers 302 to the leader with the
 *       original query. {@link #failRest} makes REST calls answer a status (e.g. 503) until reset with 0;
 *       {@link #omitFromListing} leaves an app out of {@code GET /v2/apps} only. {@link #failListings} and
 *       {@link #delayListings} do so for the listings only ({@code GET /v2/apps} and {@code GET /v2/tasks}), the
 *       requests that take Marathon longest: 503 with the body Marathon gives when its own request timed out, or an
 *       answer that comes too late.
 *   <li>{@link #requests()} lists request lines received; {@link #awaitStreams} waits for open streams and
 *       <b>fails</b> with an {@link AssertionError} on timeout.
 * </ol>
 */
public final class MarathonSimulation implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Object END = new Object();
  private static final java.time.format.DateTimeFormatter MARATHON_TIME =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

  private final MockWebServer server = new MockWebServer();
  private final Map<String, ObjectNode> apps = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> versions = new ConcurrentHashMap<>();
  private final Map<String, Map<String, ObjectNode>> tasks = new ConcurrentHashMap<>();
  private final Set<String> callbacks = ConcurrentHashMap.newKeySet();
  private final Set<String> unlisted = ConcurrentHashMap.newKeySet();
  private final List<BlockingQueue<Object>> streams = new CopyOnWriteArrayList<>();
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private volatile String redirectEventsTo;
  private volatile int failRest;
  private volatile int failListings;
  private volatile Duration delayListings = Duration.ZERO;
  private volatile boolean stall;
  private volatile boolean closed;
  private Instant now = Instant.parse("2026-01-01T00:00:00.000Z"); // the simulated clock: events' times, not the host's

  public MarathonSimulation start() {
    server.setServerSocketFactory(new NoDelay()); // as Jetty does: no Nagle delay on small event writes
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        requests.add(request);
        try {
          return route(request);
        } catch (RuntimeException e) {
          return json(500, "{\"message\":\"simulation error: " + e + "\"}");
        }
      }
    });
    try {
      server.start(InetAddress.getLoopbackAddress(), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  public String url() {
    String u = server.url("/").toString();
    return u.substring(0, u.length() - 1);
  }

  // ---- state

  public MarathonSimulation putApp(ObjectNode app) {
    String id = app.path("id").asText();
    apps.put(id, app.deepCopy());
    if (app.hasNonNull("version")) versions.put(id + "@" + app.path("version").asText(), app.deepCopy());
    tasks.computeIfAbsent(id, x -> new ConcurrentHashMap<>());
    return this;
  }

  public void removeApp(String appId) {
    apps.remove(appId);
    tasks.remove(appId);
  }

  public MarathonSimulation putTask(ObjectNode task) {
    tasks.computeIfAbsent(task.path("appId").asText(), x -> new ConcurrentHashMap<>()).put(task.path("id").asText(), task);
    return this;
  }

  public void removeTask(String taskId) {
    tasks.values().forEach(m -> m.remove(taskId));
  }

  public int taskCount() {
    return tasks.values().stream().mapToInt(Map::size).sum();
  }

  /** The tasks Marathon runs now, by task id: the truth a registry is compared with. */
  public Map<String, ObjectNode> tasks() {
    Map<String, ObjectNode> all = new java.util.TreeMap<>();
    tasks.values().forEach(all::putAll);
    return all;
  }

  public Set<String> callbackUrls() {
    return Set.copyOf(callbacks);
  }

  // ---- behaviour

  public void redirectEventsTo(String leaderUrl) {
    redirectEventsTo = leaderUrl;
  }

  public void failRest(int status) {
    failRest = status;
  }

  /** Leaves an app out of {@code GET /v2/apps} (a listing that lies) while {@code GET /v2/apps/{id}} still has it. */
  public void omitFromListing(String appId) {
    unlisted.add(appId);
  }

  /** Listings answer {@code status} (0: normally again). */
  public void failListings(int status) {
    failListings = status;
  }

  /** Listings answer after {@code delay} (zero: at once again): longer than the client waits is a timeout. */
  public void delayListings(Duration delay) {
    delayListings = delay;
  }

  public void stallStreams(boolean stall) {
    this.stall = stall;
  }

  // ---- the event stream

  /** Sends one event to every open stream, framed as Marathon does (CRLF, {@code event:} then {@code data:}). */
  public void emit(String eventJson) {
    JsonNode event = parse(eventJson);
    clock(event.path("timestamp").asText(null));
    String oneLine = event.toString(); // Marathon writes each event on one line
    emitRaw("event: " + event.path("eventType").asText() + "\r\ndata: " + oneLine + "\r\n\r\n");
  }

  /** Marathon's clock never runs back: a stream attached after an event is stamped no earlier than that event. */
  private synchronized void clock(String timestamp) {
    if (timestamp == null) return;
    try {
      Instant t = Instant.parse(timestamp);
      if (t.isAfter(now)) now = t;
    } catch (java.time.format.DateTimeParseException e) {
      // a test sending a malformed event on purpose: the clock stays
    }
  }

  private synchronized String now() {
    return MARATHON_TIME.format(now);
  }

  public void emitRaw(String bytes) {
    for (BlockingQueue<Object> s : streams) s.add(bytes);
  }

  public void heartbeat() {
    emitRaw("\r\n");
  }

  public void dropStreams() {
    for (BlockingQueue<Object> s : streams) s.add(END);
  }

  public int openStreams() {
    return streams.size();
  }

  public void awaitStreams(int n, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (streams.size() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("expected " + n + " open event streams within " + timeout + ", have " + streams.size());
      }
      sleep(5);
    }
  }

  /** Request lines received so far, e.g. {@code "GET /v2/apps/prod/web/tasks HTTP/1.1"}. */
  public List<String> requests() {
    return requests.stream().map(RecordedRequest::getRequestLine).toList();
  }

  public List<RecordedRequest> recorded() {
    return List.copyOf(requests);
  }

  public long count(Predicate<String> requestLine) {
    return requests().stream().filter(requestLine).count();
  }

  @Override
  public void close() {
    closed = true;
    dropStreams();
    server.close();
  }

  // ---- routing

  private MockResponse route(RecordedRequest r) {
    String path = r.getUrl().encodedPath();
    String method = r.getMethod();
    if (path.equals("/v2/events")) return events(r);
    if (failRest != 0) return json(failRest, "{\"message\":\"simulated failure\"}");
    if (path.equals("/v2/leader")) return json(200, "{\"leader\":\"" + server.getHostName() + ":" + server.getPort() + "\"}");
    if (path.equals("/v2/eventSubscriptions")) return subscriptions(r);
    boolean listing = method.equals("GET") && (path.equals("/v2/tasks") || path.equals("/v2/apps")
        || path.equals("/v2/apps/"));
    if (listing) return listing(path.equals("/v2/tasks") ? json(200, tasksBody(allTasks())) : apps("", r));
    if (path.startsWith("/v2/apps") && method.equals("GET")) return apps(path.substring("/v2/apps".length()), r);
    return json(404, "{\"message\":\"URI not found: " + path + "\"}");
  }

  /**
   * A listing as the fault knobs leave it. Marathon maps a {@code TimeoutException} to 503 with the exception's
   * message (MarathonExceptionMapper), e.g. when its own answer took too long.
   */
  private MockResponse listing(MockResponse answer) {
    if (failListings != 0) {
      return json(failListings, "{\"message\":\"Futures timed out after [5000 milliseconds]\"}");
    }
    Duration delay = delayListings;
    if (delay.isZero()) return answer;
    return answer.newBuilder().headersDelay(delay.toMillis(), TimeUnit.MILLISECONDS).build();
  }

  private MockResponse apps(String rest, RecordedRequest r) {
    if (rest.isEmpty() || rest.equals("/")) {
      String label = r.getUrl().queryParameter("label");
      ObjectNode body = JSON.createObjectNode();
      ArrayNode list = body.putArray("apps");
      for (ObjectNode app : apps.values()) {
        if (matches(app, label) && !unlisted.contains(app.path("id").asText())) list.add(withCounts(app));
      }
      return json(200, body.toString());
    }
    int versionsAt = rest.indexOf("/versions/");
    if (versionsAt >= 0) {
      String version = java.net.URLDecoder.decode(rest.substring(versionsAt + "/versions/".length()),
          java.nio.charset.StandardCharsets.UTF_8);
      ObjectNode v = versions.get(rest.substring(0, versionsAt) + "@" + version);
      return v == null ? json(404, "{\"message\":\"App '" + rest.substring(0, versionsAt) + "' does not exist\"}")
          : json(200, v.toString());
    }
    boolean taskList = rest.endsWith("/tasks");
    String id = taskList ? rest.substring(0, rest.length() - "/tasks".length()) : rest;
    ObjectNode app = apps.get(id);
    if (app == null) return json(404, "{\"message\":\"App '" + id + "' does not exist\"}");
    if (taskList) return json(200, tasksBody(new ArrayList<>(tasks.getOrDefault(id, Map.of()).values())));
    ObjectNode body = JSON.createObjectNode();
    body.set("app", withCounts(app));
    return json(200, body.toString());
  }

  private ObjectNode withCounts(ObjectNode app) {
    ObjectNode copy = app.deepCopy();
    int n = tasks.getOrDefault(app.path("id").asText(), Map.of()).size();
    copy.put("tasksRunning", n).put("tasksStaged", 0).put("tasksHealthy", 0).put("tasksUnhealthy", 0);
    return copy;
  }

  private static boolean matches(ObjectNode app, String selector) {
    if (selector == null) return true;
    String[] kv = selector.split("==", 2);
    return kv.length == 2 && kv[1].equals(app.path("labels").path(kv[0]).asText(null));
  }

  private List<ObjectNode> allTasks() {
    List<ObjectNode> all = new ArrayList<>();
    tasks.values().forEach(m -> all.addAll(m.values()));
    return all;
  }

  private static String tasksBody(List<ObjectNode> list) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode array = body.putArray("tasks");
    list.forEach(array::add);
    return body.toString();
  }

  private MockResponse subscriptions(RecordedRequest r) {
    String url = r.getUrl().queryParameter("callbackUrl");
    switch (r.getMethod()) {
      case "POST" -> {
        callbacks.add(url);
        return json(200, "{\"callbackUrl\":\"" + url + "\",\"clientIp\":\"127.0.0.1\",\"eventType\":\"subscribe_event\"}");
      }
      case "DELETE" -> {
        callbacks.remove(url);
        return json(200, "{\"callbackUrl\":\"" + url + "\",\"clientIp\":\"127.0.0.1\",\"eventType\":\"unsubscribe_event\"}");
      }
      default -> {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode urls = body.putArray("callbackUrls");
        callbacks.forEach(urls::add);
        return json(200, body.toString());
      }
    }
  }

  private MockResponse events(RecordedRequest r) {
    String leader = redirectEventsTo;
    if (leader != null) {
      String query = r.getUrl().encodedQuery();
      return new MockResponse.Builder().code(302)
          .setHeader("Location", leader + "/v2/events" + (query == null ? "" : "?" + query)).body("").build();
    }
    if (!"text/event-stream".equals(r.getHeaders().get("Accept"))) {
      return new MockResponse.Builder().code(405).body("HTTP method GET is not supported by this URL").build();
    }
    BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    boolean silent = stall;
    return new MockResponse.Builder().code(200)
        .setHeader("Content-Type", "text/event-stream;charset=UTF-8")
        .setHeader("Cache-Control", "no-cache, no-store, must-revalidate")
        .setHeader("Connection", "close")
        .onResponseEnd(new SocketEffect.CloseSocket()) // Marathon's streams end with the connection
        .body(new MockResponseBody() {
          @Override
          public long getContentLength() {
            return -1;
          }

          @Override
          public void writeTo(BufferedSink sink) throws IOException {
            streams.add(queue);
            try {
              if (!silent) {
                sink.writeUtf8("event: event_stream_attached\r\ndata: {\"remoteAddress\":\"127.0.0.1\","
                    + "\"eventType\":\"event_stream_attached\",\"timestamp\":\"" + now() + "\"}\r\n\r\n");
                sink.flush();
              }
              for (int idle = 0; !closed && idle < 6_000; ) { // bounded: an unattended stream ends after ~10 min
                Object item = queue.poll(100, TimeUnit.MILLISECONDS);
                if (item == END) return;
                if (item == null) {
                  idle++;
                  continue;
                }
                idle = 0;
                if (silent) continue;
                sink.writeUtf8((String) item);
                Object next;
                while ((next = queue.poll()) instanceof String s) sink.writeUtf8(s);
                sink.flush();
                if (next == END) return;
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            } finally {
              streams.remove(queue);
            }
          }
        })
        .build();
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json; charset=utf-8").body(body).build();
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + json, e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Accepted sockets get TCP_NODELAY, like Jetty's connectors; otherwise Nagle + delayed ACK add ~40 ms per event. */
  private static final class NoDelay extends javax.net.ServerSocketFactory {
    @Override
    public java.net.ServerSocket createServerSocket() throws IOException {
      return new java.net.ServerSocket() {
        @Override
        public java.net.Socket accept() throws IOException {
          java.net.Socket s = super.accept();
          s.setTcpNoDelay(true);
          return s;
        }
      };
    }

    @Override
    public java.net.ServerSocket createServerSocket(int port) throws IOException {
      java.net.ServerSocket s = createServerSocket();
      s.bind(new java.net.InetSocketAddress(port));
      return s;
    }

    @Override
    public java.net.ServerSocket createServerSocket(int port, int backlog) throws IOException {
      java.net.ServerSocket s = createServerSocket();
      s.bind(new java.net.InetSocketAddress(port), backlog);
      return s;
    }

    @Override
    public java.net.ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
      java.net.ServerSocket s = createServerSocket();
      s.bind(new java.net.InetSocketAddress(address, port), backlog);
      return s;
    }
  }

  /** Builds an app as Marathon 1.5+ returns it, labelled for mdo, from a fixture's port mappings. */
  public static ObjectNode app(String id, String version, Map<String, String> labels, JsonNode portMappings,
      boolean hostNetworking) {
    ObjectNode app = JSON.createObjectNode().put("id", id).put("version", version).put("instances", 1);
    ObjectNode l = app.putObject("labels");
    new LinkedHashMap<>(labels).forEach(l::put);
    if (hostNetworking) {
      app.putArray("networks").addObject().put("mode", "host");
      app.set("portDefinitions", portMappings);
    } else {
      app.putArray("networks").addObject().put("mode", "container/bridge");
      app.putObject("container").put("type", "DOCKER").set("portMappings", portMappings);
    }
    return app;
  }

  public static ObjectMapper json() {
    return JSON;
  }

}
