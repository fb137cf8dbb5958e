package mdo.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import mockwebserver3.MockResponse;

/**
 * Marathon responses for MockWebServer, built from the recorded {@link Payloads}. Where Marathon's repository has no
 * verbatim example (a comment-free {@code GET /v2/apps/{id}} for a given app), the documented 1.4 response
 * {@code app_get_response.1.4.jsonc} is the base and the app's own fields, counts and deployments are laid over it,
 * plus what Marathon fills in on its own (service ports, {@code forcePullImage}), per API.md §3-4.
 */
public final class MarathonResponses {
  private static final ObjectMapper JSON = new ObjectMapper();

  private MarathonResponses() {}

  public static MockResponse json(int status, String body) {
    return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json; charset=utf-8")
        .body(body).build();
  }

  /** A recorded payload file as the body, e.g. {@code payload(409, "error_409_app_locked.json")}. */
  public static MockResponse payload(int status, String file) {
    return json(status, Payloads.marathon(file));
  }

  /** {@code GET /v2/apps/{id}}: {@code {"app": ...}} for an app Marathon runs from {@code definition}. */
  public static MockResponse appResponse(JsonNode definition, int running, int healthy, String... deploymentIds) {
    ObjectNode body = JSON.createObjectNode();
    body.set("app", app(definition, running, healthy, deploymentIds));
    return json(200, body.toString());
  }

  /** The app object alone; see {@link #appResponse}. The recorded {@code lastTaskFailure} stays in. */
  public static ObjectNode app(JsonNode definition, int running, int healthy, String... deploymentIds) {
    ObjectNode app = (ObjectNode) read(Payloads.withoutComments(Payloads.marathon("app_get_response.1.4.jsonc"))).get("app");
    // What the recorded app has that this one does not set falls back to Marathon's defaults.
    app.remove("ports");
    app.putNull("cmd");
    app.putNull("args");
    app.putNull("container");
    app.putArray("portDefinitions");
    app.putArray("healthChecks");
    app.putArray("constraints");
    app.putObject("env");
    app.putObject("labels");
    app.setAll((ObjectNode) definition.deepCopy());
    JsonNode container = app.get("container");
    if (container != null && container.isObject()) {
      ((ObjectNode) container.get("docker")).put("forcePullImage", false).put("privileged", false);
      int servicePort = 10000;
      for (JsonNode m : container.path("portMappings")) ((ObjectNode) m).put("servicePort", servicePort++);
      for (JsonNode m : container.path("docker").path("portMappings")) ((ObjectNode) m).put("servicePort", servicePort++);
    }
    if (!app.path("requirePorts").asBoolean(false)) {
      int servicePort = 10100;
      for (JsonNode d : app.path("portDefinitions")) ((ObjectNode) d).put("port", servicePort++);
    }
    app.put("tasksRunning", running).put("tasksHealthy", healthy).put("tasksStaged", 0).put("tasksUnhealthy", 0);
    ArrayNode deployments = app.putArray("deployments");
    for (String id : deploymentIds) deployments.addObject().put("id", id);
    return app;
  }

  /** {@code GET /v2/deployments} listing these deployment ids (the recorded entry, re-labelled). */
  public static MockResponse deployments(String appId, String... ids) {
    ArrayNode out = JSON.createArrayNode();
    JsonNode template = read(Payloads.marathon("deployments_get.json")).get(0);
    for (String id : ids) {
      ObjectNode d = template.deepCopy();
      d.put("id", id);
      d.putArray("affectedApps").add(appId);
      out.add(d);
    }
    return json(200, out.toString());
  }

  /** {@code 201} to {@code POST /v2/apps}: the recorded created-app body with this app and deployment id. */
  public static MockResponse created(JsonNode definition, String deploymentId) {
    ObjectNode body = (ObjectNode) read(Payloads.marathon("apps_post_response.json"));
    body.setAll((ObjectNode) definition.deepCopy());
    body.putArray("deployments").addObject().put("id", deploymentId);
    return new MockResponse.Builder().code(201).setHeader("Content-Type", "application/json; charset=utf-8")
        .setHeader("Marathon-Deployment-Id", deploymentId).setHeader("Location", definition.path("id").asText())
        .body(body.toString()).build();
  }

  /** {@code {"deploymentId","version"}} (PUT, restart, delete), from {@code app_put_response.json}. */
  public static MockResponse deploymentResult(String deploymentId) {
    ObjectNode body = (ObjectNode) read(Payloads.marathon("app_put_response.json"));
    body.put("deploymentId", deploymentId);
    return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json; charset=utf-8")
        .setHeader("Marathon-Deployment-Id", deploymentId).body(body.toString()).build();
  }

  public static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
