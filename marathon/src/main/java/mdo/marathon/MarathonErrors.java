package mdo.marathon;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Turns Marathon's error bodies, which are not uniform (API.md trip-up #13), into {@link MarathonException}s. */
final class MarathonErrors {
  private MarathonErrors() {}

  static MarathonException from(int status, String method, String path, String body) {
    JsonNode json = parse(body);
    List<String> details = new ArrayList<>();
    List<String> deployments = new ArrayList<>();
    String message;
    if (json != null && json.has("message")) {
      message = json.path("message").asText();
      JsonNode d = json.path("details");
      if (d.isTextual()) {
        details.add(d.asText());
      } else {
        for (JsonNode detail : d) {
          List<String> errors = new ArrayList<>();
          detail.path("errors").forEach(e -> errors.add(e.asText()));
          details.add(detail.path("path").asText("/") + ": " + String.join("; ", errors));
        }
      }
      json.path("deployments").forEach(dep -> deployments.add(dep.path("id").asText()));
    } else if (status == 401) {
      message = "authentication required or failed: check marathon.user/password or marathon.token";
    } else if (status == 403) {
      message = "not authorized: the configured credentials may not perform this action";
    } else {
      message = body.isBlank() ? "(empty body)" : excerpt(body);
    }
    return new MarathonException(status, method, path, message, details, deployments);
  }

  private static JsonNode parse(String body) {
    try {
      JsonNode node = MarathonClient.JSON.readTree(body);
      return node != null && node.isObject() ? node : null;
    } catch (Exception e) {
      return null;
    }
  }

  /** HTML error pages (Jetty's 401, proxies) are cut to their first meaningful line. */
  static String excerpt(String body) {
    String text = body.replaceAll("(?s)<[^>]*>", " ").replaceAll("\\s+", " ").trim();
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }
}
