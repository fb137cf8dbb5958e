package mdo.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Marathon's REST API (the dev cluster's, in tests) called as a person with curl would, to set up or look at what the
 * code under test acts on: a change by hand, an app as an older mdo created it, the app and its tasks afterwards.
 */
public final class MarathonApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final String url;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** @param url the base, e.g. {@code http://127.0.0.1:8080} */
  public MarathonApi(String url) {
    this.url = url;
  }

  public HttpResponse<String> call(String method, String path, String body) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A {@code GET} that must answer 200, as JSON. */
  public JsonNode get(String path) {
    HttpResponse<String> response = call("GET", path, null);
    if (response.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return json(response);
  }

  public static JsonNode json(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + response.body(), e);
    }
  }

  /**
   * A port of {@code [first, last]} that nothing on this machine binds now, from the top: a fixed host port for an
   * agent whose range this is (dynamic ones are handed out from the bottom).
   */
  public static int freePort(int first, int last) {
    for (int port = last; port >= first; port--) {
      try (ServerSocket probe = new ServerSocket(port)) {
        return port;
      } catch (IOException taken) {
        // the next one
      }
    }
    throw new IllegalStateException("no free port in " + first + "-" + last);
  }
}
