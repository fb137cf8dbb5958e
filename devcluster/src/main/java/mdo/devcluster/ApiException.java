package mdo.devcluster;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** An error answered with Marathon's status code and JSON body. */
public final class ApiException extends RuntimeException {
  private final int status;
  private final ObjectNode body;

  public ApiException(int status, ObjectNode body) {
    super(body.path("message").asText());
    this.status = status;
    this.body = body;
  }

  public int status() {
    return status;
  }

  public ObjectNode body() {
    return body;
  }

  public static ApiException message(int status, String message) {
    ObjectNode body = Json.object();
    body.put("message", message);
    return new ApiException(status, body);
  }

  public static ApiException appNotFound(String appId) {
    return message(404, "App '" + appId + "' does not exist");
  }

  /** 422 {@code {"message":"Object is not valid","details":[{"path","errors"}]}} (Marathon's Validation.scala). */
  public static ApiException invalid(List<Detail> details) {
    return withDetails(422, "Object is not valid", details);
  }

  /** JSON that parses but the reader refuses, with Play's keys: 422 on Marathon 1.5+, 400 on 1.4. */
  public static ApiException invalidJson(int status, List<Detail> details) {
    return withDetails(status, "Invalid JSON", details);
  }

  /** Syntactically broken JSON: 400, and here {@code details} is a string. */
  public static ApiException unparseable(String parserMessage) {
    ObjectNode body = Json.object();
    body.put("message", "Invalid JSON");
    body.put("details", parserMessage);
    return new ApiException(400, body);
  }

  private static ApiException withDetails(int status, String message, List<Detail> details) {
    ObjectNode body = Json.object();
    body.put("message", message);
    ArrayNode array = body.putArray("details");
    for (Detail detail : details) {
      ObjectNode entry = array.addObject();
      entry.put("path", detail.path());
      ArrayNode errors = entry.putArray("errors");
      detail.errors().forEach(errors::add);
    }
    return new ApiException(status, body);
  }

  /** One entry of {@code details}: a JSON path like {@code /healthChecks(0)/portIndex} and its messages. */
  public record Detail(String path, List<String> errors) {
    public static Detail of(String path, String error) {
      return new Detail(path, List.of(error));
    }
  }
}
