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
import mdo.config.MarathonSettings;
import okhttp3.HttpUrl;
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
 */
public final class MarathonClient {
  static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();
  private static final MediaType JSON_TYPE = MediaType.get("application/json; charset=utf-8");

  private final MarathonSettings settings;
  private final OkHttpClient http;
  private final OkHttpClient listings;
  private final AtomicInteger preferred = new AtomicInteger();

  public MarathonClient(MarathonSettings settings) {
    this(settings, MarathonHttp.client(settings));
  }

  MarathonClient(MarathonSettings settings, OkHttpClient http) {
    this.settings = settings;
    this.http = http;
    this.listings = http.newBuilder().readTimeout(settings.listingTimeout()).callTimeout(settings.listingTimeout())
        .build();
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

  public DeploymentResult createApp(ObjectNode app) {
    JsonNode body = call("POST", "/v2/apps", app);
    return new DeploymentResult(body.path("deployments").path(0).path("id").asText(null),
        body.path("version").asText(null), true);
  }

  /** Creates or updates (partial update) the app; {@code force} overrides a deployment lock. */
  public DeploymentResult putApp(String appId, ObjectNode app, boolean force) {
    return deploymentResult(call("PUT", "/v2/apps" + path(appId) + (force ? "?force=true" : ""), app));
  }

  /**
   * Replaces the whole app definition ({@code partialUpdate=false}, API.md §4.2): fields left out are reset, not kept,
   * so removing a health check or a command from config.yaml removes it in Marathon. Creates the app if missing.
   */
  public DeploymentResult replaceApp(String appId, ObjectNode app, boolean force) {
    return deploymentResult(call("PUT", "/v2/apps" + path(appId) + "?partialUpdate=false" + (force ? "&force=true" : ""), app));
  }

  public DeploymentResult scale(String appId, int instances, boolean force) {
    ObjectNode body = JSON.createObjectNode().put("instances", instances);
    return putApp(appId, body, force);
  }

  public DeploymentResult restartApp(String appId, boolean force) {
    return deploymentResult(call("POST", "/v2/apps" + path(appId) + "/restart" + (force ? "?force=true" : ""),
        JSON.createObjectNode()));
  }

  public DeploymentResult deleteApp(String appId) {
    return deploymentResult(call("DELETE", "/v2/apps" + path(appId), null));
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

  /** App ids are absolute paths; nested ids keep their slashes in the URL path. */
  static String path(String appId) {
    String id = appId.startsWith("/") ? appId : "/" + appId;
    return id.endsWith("/") ? id.substring(0, id.length() - 1) : id;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

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
      HttpUrl url = MarathonHttp.url(urls.get(index), pathAndQuery);
      Request request = new Request.Builder()
          .url(url)
          .header("Accept", "application/json")
          .method(method, body == null ? null : RequestBody.create(write(body), JSON_TYPE))
          .build();
      try (Response response = client.newCall(request).execute()) {
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
