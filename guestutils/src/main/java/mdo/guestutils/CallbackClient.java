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
 * {@code DELETE /v1/callbacks/{service}/{id}}. The bearer token ({@code MDO_TOKEN}) is sent when set, never printed.
 * Uses the JDK's HTTP client for the same start-up reason as {@link GatewayReader}.
 */
public final class CallbackClient {
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
   * Registers {@code url} for membership changes of {@code service}, tied to task {@code taskId} (may be null). The
   * answer holds {@code id} and {@code secret}; the secret is shown only this once.
   */
  public JsonNode register(String service, String url, String taskId) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("service", service);
    body.put("url", url);
    if (taskId != null) body.put("taskId", taskId);
    return call("POST", "v1/callbacks", body);
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
          try {
            JsonNode error = RegistryJson.MAPPER.readTree(bytes);
            if (error.hasNonNull("error")) message = error.get("error").asText();
          } catch (IOException ignored) {
            // not JSON: show the body as it came
          }
          throw new GuestUtilsException(method + " " + uri.getPath() + " failed: " + code + " " + message.strip());
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
