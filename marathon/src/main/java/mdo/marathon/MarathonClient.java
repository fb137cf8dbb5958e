package mdo.marathon;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import mdo.config.MarathonSettings;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The Marathon REST calls mdo makes. Every call tries the configured URLs in order, starting with the last one that
 * answered; a connection failure or a 502/503 (a standby without a leader) moves on to the next URL. Other error
 * statuses raise {@link MarathonException} with Marathon's own message; no URL answering raises
 * {@link MarathonUnavailableException}. The full listings ({@link #listApps}, {@link #listTasks}) get their own read
 * timeout ({@link MarathonSettings#listingTimeout()}), are parsed as they stream in, and log their progress while they
 * take long: at 10,000+ tasks Marathon needs tens of seconds and tens of megabytes for one.
 *
 * <p>Changes (creating, replacing, scaling, restarting, deleting an app) are sent again on the next URL (a single
 * Marathon: once more to it) only when the request never left: when the connection failed before it was written. After
 * a lost answer (a read timeout, a reset, a 502/503, which Marathon also gives when it timed out internally, sometimes
 * after applying the change) the app is read back first: a new version (or the app there, or gone, as the change
 * intended) means the change was applied, and its deployment is returned instead of a second change that would meet
 * "already exists" or "locked"; the same version means it was not, and it is sent again.
 */
public final class MarathonClient {
  static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();
  private static final MediaType JSON_TYPE = MediaType.get("application/json; charset=utf-8");

  private final MarathonSettings settings;
  private final OkHttpClient http;
  private final OkHttpClient listings;
  /** For changes: knows whether a request was written, and never resends one itself (OkHttp would, after a reset). */
  private final OkHttpClient changes;
  private final AtomicInteger preferred = new AtomicInteger();

  public MarathonClient(MarathonSettings settings) {
    this(settings, MarathonHttp.client(settings));
  }

  MarathonClient(MarathonSettings settings, OkHttpClient http) {
    this.settings = settings;
    this.http = http;
    this.listings = http.newBuilder().readTimeout(settings.listingTimeout()).callTimeout(settings.listingTimeout())
        .build();
    this.changes = http.newBuilder().retryOnConnectionFailure(false).eventListenerFactory(Sent.TRACKER).build();
  }

  public MarathonSettings settings() {
    return settings;
  }

  /** The shared HTTP client (auth, TLS, leader redirects); derive stream clients with {@code newBuilder()}. */
  public OkHttpClient http() {
    return http;
  }

  /** The URL that answered last: where a stream should connect first. */
  public URI preferredUrl() {
    return settings.urls().get(preferred.get() % settings.urls().size());
  }

  /** Marks the next URL preferred, e.g. after a stream to the current one failed. */
  public void failOver() {
    preferred.incrementAndGet();
  }

  // ---- apps

  public Optional<MarathonApp> getApp(String appId) {
    return getAppJson(appId).map(MarathonApp::from);
  }

  /** The app definition as Marathon returns it (inside {@code {"app": ...}}), or empty when it does not exist. */
  public Optional<ObjectNode> getAppJson(String appId) {
    try {
      JsonNode app = call("GET", "/v2/apps" + path(appId), null).path("app");
      if (!app.isObject()) {
        throw new MarathonException(200, "GET", "/v2/apps" + path(appId), "response has no \"app\" object",
            List.of(), List.of());
      }
      return Optional.of((ObjectNode) app);
    } catch (MarathonException e) {
      if (e.isNotFound()) return Optional.empty();
      throw e;
    }
  }

  /**
   * One stored version of an app ({@code GET /v2/apps/{id}/versions/{version}}, the bare app JSON), or empty when the
   * app or the version does not exist. Tasks of a rolling deployment still run older versions.
   */
  public Optional<MarathonApp> getAppVersion(String appId, String version) {
    try {
      return Optional.of(MarathonApp.from(call("GET", "/v2/apps" + path(appId) + "/versions/" + encode(version), null)));
    } catch (MarathonException e) {
      if (e.isNotFound()) return Optional.empty();
      throw e;
    }
  }

  /** All apps, or those matching a Marathon label selector such as {@code MDO_ENVIRONMENT==prod}. */
  public List<MarathonApp> listApps(String labelSelector) {
    String query = labelSelector == null ? "" : "?label=" + encode(labelSelector);
    return call("GET", "/v2/apps" + query, null, listings, (in, path) -> Listings.items(in, "apps", path,
        p -> MarathonApp.from(JSON.readTree(p)), a -> true));
  }

  /** Creates the app ({@code POST /v2/apps}); after a lost answer, an app now there is taken as created. */
  public DeploymentResult createApp(ObjectNode app) {
    String appId = app.path("id").asText();
    JsonNode body = change("POST", "/v2/apps", app, () -> getAppJson(appId).map(a -> applied(a, true)));
    return new DeploymentResult(body.path("deployments").path(0).path("id").asText(null),
        body.path("version").asText(null), true);
  }

  /**
   * Updates the app (partial update: fields left out stay); {@code force} overrides a deployment lock.
   *
   * @param priorVersion the app's version before this change, to tell after a lost answer whether it was applied
   */
  public DeploymentResult putApp(String appId, ObjectNode app, boolean force, String priorVersion) {
    return deploymentResult(change("PUT", "/v2/apps" + path(appId) + (force ? "?force=true" : ""), app,
        changedSince(appId, priorVersion)));
  }

  /**
   * Replaces the whole app definition ({@code partialUpdate=false}, API.md §4.2): fields left out are reset, not kept,
   * so removing a health check or a command from config.yaml removes it in Marathon. Creates the app if missing.
   */
  public DeploymentResult replaceApp(String appId, ObjectNode app, boolean force, String priorVersion) {
    return deploymentResult(change("PUT", "/v2/apps" + path(appId) + "?partialUpdate=false"
        + (force ? "&force=true" : ""), app, changedSince(appId, priorVersion)));
  }

  public DeploymentResult restartApp(String appId, boolean force, String priorVersion) {
    return deploymentResult(change("POST", "/v2/apps" + path(appId) + "/restart" + (force ? "?force=true" : ""),
        JSON.createObjectNode(), changedSince(appId, priorVersion)));
  }

  /** Deletes the app; after a lost answer, an app no longer there is taken as deleted. */
  public DeploymentResult deleteApp(String appId) {
    return deploymentResult(change("DELETE", "/v2/apps" + path(appId), null,
        () -> getAppJson(appId).isEmpty() ? Optional.of(new DeploymentResult(null, null, false)) : Optional.empty()));
  }

  /** After a lost answer: the app at another version than {@code priorVersion} means the change was applied. */
  private Supplier<Optional<DeploymentResult>> changedSince(String appId, String priorVersion) {
    return () -> getAppJson(appId)
        .filter(a -> !a.path("version").asText("").equals(priorVersion == null ? "" : priorVersion))
        .map(a -> applied(a, false));
  }

  /** The change found applied: the app's version, and its deployment if one still runs. */
  private static DeploymentResult applied(JsonNode app, boolean created) {
    return new DeploymentResult(app.path("deployments").path(0).path("id").asText(null),
        app.path("version").asText(null), created);
  }

  // ---- tasks and deployments

  public List<MarathonTask> listTasks() {
    return listTasks(appId -> true);
  }

  /** Every task of the apps {@code ofApps} accepts; the others are dropped as they stream in. */
  public List<MarathonTask> listTasks(Predicate<String> ofApps) {
    return call("GET", "/v2/tasks", null, listings, (in, path) -> Listings.items(in, "tasks", path,
        p -> JSON.readValue(p, MarathonTask.class), t -> ofApps.test(t.appId())));
  }

  /** One app's tasks: a listing too (an app may run thousands). */
  public List<MarathonTask> appTasks(String appId) {
    return call("GET", "/v2/apps" + path(appId) + "/tasks", null, listings, (in, path) -> Listings.items(in, "tasks",
        path, p -> JSON.readValue(p, MarathonTask.class), t -> true));
  }

  /**
   * The launch queue ({@code GET /v2/queue}, Marathon 1.4+) as Marathon returns it: an entry per app with instances
   * waiting to be launched, the app inside.
   */
  public List<JsonNode> queue() {
    List<JsonNode> entries = new ArrayList<>();
    call("GET", "/v2/queue", null).path("queue").forEach(entries::add);
    return entries;
  }

  public List<MarathonDeployment> deployments() {
    return JSON.convertValue(call("GET", "/v2/deployments", null), new TypeReference<List<MarathonDeployment>>() {});
  }

  // ---- server

  public JsonNode info() {
    return call("GET", "/v2/info", null);
  }

  /** {@code host:port} of the leader, or empty when Marathon says there is none (404). */
  public Optional<String> leader() {
    try {
      return Optional.ofNullable(call("GET", "/v2/leader", null).path("leader").asText(null));
    } catch (MarathonException e) {
      if (e.isNotFound()) return Optional.empty();
      throw e;
    }
  }

  // ---- legacy HTTP callbacks (Marathon < 1.5 and the dev cluster)

  public List<String> eventSubscriptions() {
    List<String> urls = new ArrayList<>();
    call("GET", "/v2/eventSubscriptions", null).path("callbackUrls").forEach(u -> urls.add(u.asText()));
    return urls;
  }

  public void subscribe(String callbackUrl) {
    call("POST", "/v2/eventSubscriptions?callbackUrl=" + encode(callbackUrl), JSON.createObjectNode());
  }

  public void unsubscribe(String callbackUrl) {
    call("DELETE", "/v2/eventSubscriptions?callbackUrl=" + encode(callbackUrl), null);
  }

  // ---- plumbing

  private static DeploymentResult deploymentResult(JsonNode body) {
    String id = body.path("deploymentId").asText(null);
    if (id == null) id = body.path("deployments").path(0).path("id").asText(null);
    return new DeploymentResult(id, body.path("version").asText(null), false);
  }

  /** A change found applied after a lost answer, in the shape of Marathon's answer to it. */
  private static JsonNode answer(DeploymentResult found) {
    ObjectNode body = JSON.createObjectNode();
    if (found.deploymentId() != null) {
      body.put("deploymentId", found.deploymentId());
      body.putArray("deployments").addObject().put("id", found.deploymentId());
    }
    if (found.version() != null) body.put("version", found.version());
    return body;
  }

  /** App ids are absolute paths; nested ids keep their slashes in the URL path. */
  static String path(String appId) {
    String id = appId.startsWith("/") ? appId : "/" + appId;
    return id.endsWith("/") ? id.substring(0, id.length() - 1) : id;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** A read (or a change that may safely be sent twice): every URL in turn until one answers. */
  JsonNode call(String method, String pathAndQuery, JsonNode body) {
    return call(method, pathAndQuery, body, http, (in, path) -> {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return text.isBlank() ? JSON.createObjectNode() : readTree(text, method, path);
    });
  }

  /** Reads a successful answer's body; an {@link IOException} counts as that URL failing. */
  interface BodyReader<T> {
    T read(InputStream body, String pathAndQuery) throws IOException;
  }

  private <T> T call(String method, String pathAndQuery, JsonNode body, OkHttpClient client, BodyReader<T> reader) {
    List<URI> urls = settings.urls();
    List<String> attempts = new ArrayList<>();
    IOException last = null;
    int start = preferred.get();
    for (int i = 0; i < urls.size(); i++) {
      int index = (start + i) % urls.size();
      try (Response response = client.newCall(request(urls.get(index), method, pathAndQuery, body, null)).execute()) {
        if (response.code() == 502 || response.code() == 503) {
          attempts.add(urls.get(index) + " answered " + response.code());
          continue;
        }
        preferred.set(index);
        if (!response.isSuccessful()) {
          throw MarathonErrors.from(response.code(), method, pathAndQuery, response.body().string());
        }
        try (InputStream in = response.body().byteStream()) {
          return reader.read(in, pathAndQuery);
        }
      } catch (IOException e) {
        last = e;
        attempts.add(urls.get(index) + ": " + e.getClass().getSimpleName() + " " + e.getMessage());
      }
    }
    throw new MarathonUnavailableException(method, pathAndQuery, attempts, last);
  }

  /**
   * A change: sent again on the next URL only if it never left, else {@code applied} decides from what Marathon now
   * has (see the class comment). A conflict (409) after a lost answer is checked the same way: it may be the change
   * itself, applied late.
   */
  private JsonNode change(String method, String pathAndQuery, JsonNode body,
      Supplier<Optional<DeploymentResult>> applied) {
    List<URI> urls = settings.urls();
    List<String> attempts = new ArrayList<>();
    IOException last = null;
    boolean lost = false;
    int start = preferred.get();
    // A single Marathon gets a second try: a stale keep-alive connection loses a change that never reached it.
    for (int i = 0; i < Math.max(urls.size(), 2); i++) {
      int index = (start + i) % urls.size();
      Sent sent = new Sent();
      try (Response response = changes.newCall(request(urls.get(index), method, pathAndQuery, body, sent)).execute()) {
        String text = response.body().string();
        if (response.code() == 502 || response.code() == 503) {
          attempts.add(urls.get(index) + " answered " + response.code());
        } else {
          preferred.set(index);
          if (response.code() == 409 && lost) {
            Optional<DeploymentResult> found = readBack(applied, method, pathAndQuery, attempts);
            if (found.isPresent()) return answer(found.get());
          }
          return answered(response.code(), text, method, pathAndQuery);
        }
      } catch (IOException e) {
        last = e;
        attempts.add(urls.get(index) + ": " + e.getClass().getSimpleName() + " " + e.getMessage());
        if (!sent.written) continue; // never left: nothing can have been applied
      }
      lost = true;
      Optional<DeploymentResult> found = readBack(applied, method, pathAndQuery, attempts);
      if (found.isPresent()) return answer(found.get());
      attempts.add("not applied (read back), so sent again");
    }
    throw new MarathonUnavailableException(method, pathAndQuery, attempts, last);
  }

  /** Whether a change whose answer was lost took effect; unreadable means nobody can say, and nothing is resent. */
  private Optional<DeploymentResult> readBack(Supplier<Optional<DeploymentResult>> applied, String method,
      String pathAndQuery, List<String> attempts) {
    try {
      return applied.get();
    } catch (MarathonUnavailableException e) {
      attempts.add("the answer was lost and reading the app back failed (" + e.getMessage() + "): the change may or"
          + " may not have been applied; look at the app in Marathon before sending it again");
      throw new MarathonUnavailableException(method, pathAndQuery, attempts, e);
    }
  }

  private Request request(URI base, String method, String pathAndQuery, JsonNode body, Sent sent) {
    Request.Builder request = new Request.Builder()
        .url(MarathonHttp.url(base, pathAndQuery))
        .header("Accept", "application/json")
        .method(method, body == null ? null : RequestBody.create(write(body), JSON_TYPE));
    if (sent != null) request.tag(Sent.class, sent);
    return request.build();
  }

  private static JsonNode answered(int status, String text, String method, String pathAndQuery) {
    if (status < 200 || status > 299) throw MarathonErrors.from(status, method, pathAndQuery, text);
    return text.isBlank() ? JSON.createObjectNode() : readTree(text, method, pathAndQuery);
  }

  /** Set once OkHttp starts writing the request: from then on the server may have acted on it. */
  private static final class Sent {
    static final EventListener.Factory TRACKER = call -> {
      Sent sent = call.request().tag(Sent.class);
      return sent == null ? EventListener.NONE : new EventListener() {
        @Override
        public void requestHeadersStart(Call c) {
          sent.written = true;
        }
      };
    };

    volatile boolean written;
  }

  private static JsonNode readTree(String text, String method, String path) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new MarathonException(200, method, path, "response is not JSON: " + MarathonErrors.excerpt(text),
          List.of(), List.of());
    }
  }

  private static byte[] write(JsonNode body) {
    try {
      return JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
