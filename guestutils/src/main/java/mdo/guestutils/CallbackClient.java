package mdo.guestutils;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import mdo.registry.RegistryJson;

/**
 * Talks to the subscriber's callback endpoints: {@code POST /v1/callbacks}, {@code GET /v1/callbacks},
 * {@code DELETE /v1/callbacks/{service}/{id}}. The bearer token (a task's {@code MDO_REGISTRATION_TOKEN}, an operator's
 * {@code MDO_TOKEN}) is sent when set, never printed. Uses the JDK's HTTP client for the same start-up reason as
 * {@link GatewayReader}.
 */
public final class CallbackClient {
  /** How long {@link #register} waits for its task to appear in the registry (a task registering at its start). */
  public static final Duration TASK_WAIT = Duration.ofSeconds(60);

  private final URI base;
  private final String token;
  private final int timeoutMillis;

  public CallbackClient(String subscriberUrl, String token, Duration timeout) {
    if (subscriberUrl == null) {
      throw new GuestUtilsException("Subscriber URL was not defined (set SUBSCRIBER_URL or pass --subscriber)");
    }
    String url = subscriberUrl.endsWith("/") ? subscriberUrl : subscriberUrl + "/";
    this.base = URI.create(url.contains("://") ? url : "http://" + url);
    this.token = token;
    this.timeoutMillis = (int) timeout.toMillis();
  }

  /**
   * Registers {@code url} for membership changes of {@code service}, tied to task {@code taskId} of service
   * {@code owner} (this task: {@code MESOS_TASK_ID}, {@code SERVICE_NAME}). A task that registers as it starts may not
   * be in the registry yet: the subscriber then answers 409 and this retries, for up to {@link #TASK_WAIT}. The answer
   * holds {@code id} and {@code secret}; the secret is shown only this once.
   */
  public JsonNode register(String service, String url, String taskId, String owner) throws InterruptedException {
    if (taskId == null) throw new GuestUtilsException("MESOS_TASK_ID is not set: a registration belongs to a task");
    Map<String, String> body = new LinkedHashMap<>();
    body.put("service", service);
    body.put("url", url);
    body.put("taskId", taskId);
    if (owner != null) body.put("owner", owner);
    long deadline = System.nanoTime() + TASK_WAIT.toNanos();
    long pause = 200;
    while (true) {
      try {
        return call("POST", "v1/callbacks", body);
      } catch (TaskNotRunning e) {
        if (System.nanoTime() + pause * 1_000_000 > deadline) throw e;
        Thread.sleep(pause); // the subscriber writes the task's record within seconds of its start
        pause = Math.min(pause * 2, 5_000);
      }
    }
  }

  /** The subscriber's 409 for a task that is not in the registry yet. */
  static final class TaskNotRunning extends GuestUtilsException {
    TaskNotRunning(String message) {
      super(message);
    }
  }

  public JsonNode list(String service) {
    String path = "v1/callbacks" + (service == null ? "" : "?service=" + URLEncoder.encode(service, StandardCharsets.UTF_8));
    return call("GET", path, null);
  }

  public void unregister(String service, String id) {
    call("DELETE", "v1/callbacks/" + enc(service) + "/" + enc(id), null);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private JsonNode call(String method, String path, Object body) {
    URI uri = base.resolve(path);
    try {
      HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
      try {
        c.setConnectTimeout(timeoutMillis);
        c.setReadTimeout(timeoutMillis);
        c.setRequestMethod(method);
        c.setRequestProperty("Accept", "application/json");
        if (token != null) c.setRequestProperty("Authorization", "Bearer " + token);
        if (body != null) {
          c.setDoOutput(true);
          c.setRequestProperty("Content-Type", "application/json");
          try (OutputStream out = c.getOutputStream()) {
            out.write(RegistryJson.write(body));
          }
        }
        int code = c.getResponseCode();
        InputStream in = code >= 400 ? c.getErrorStream() : c.getInputStream();
        byte[] bytes = in == null ? new byte[0] : in.readAllBytes();
        if (code >= 400) {
          String message = new String(bytes, StandardCharsets.UTF_8);
          String reason = null;
          try {
            JsonNode error = RegistryJson.MAPPER.readTree(bytes);
            if (error.hasNonNull("error")) message = error.get("error").asText();
            reason = error.path("reason").asText(null);
          } catch (IOException ignored) {
            // not JSON: show the body as it came
          }
          String text = method + " " + uri.getPath() + " failed: " + code + " " + message.strip();
          if (code == 409 && "task-not-running".equals(reason)) throw new TaskNotRunning(text);
          throw new GuestUtilsException(text);
        }
        return bytes.length == 0 ? RegistryJson.MAPPER.nullNode() : RegistryJson.MAPPER.readTree(bytes);
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      throw new GuestUtilsException("Subscriber unreachable at " + base + ": " + e.getMessage(), e);
    }
  }
}
