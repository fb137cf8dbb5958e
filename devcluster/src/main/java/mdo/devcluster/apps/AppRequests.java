package mdo.devcluster.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import mdo.devcluster.ApiException;
import mdo.devcluster.ApiException.Detail;
import mdo.devcluster.MarathonFlags;

/**
 * Request bodies of {@code POST/PUT/PATCH /v2/apps} → the canonical 1.5+ app JSON with every default filled in.
 * What the reader refuses ({@link RamlReads}) is "Invalid JSON" (422 on 1.5+, 400 on 1.4), rule violations are 422
 * "Object is not valid".
 */
public final class AppRequests {
  /** Fields we compute and never take from a request body. */
  private static final List<String> READ_ONLY = List.of("version", "versionInfo", "tasks", "deployments",
      "tasksStaged", "tasksRunning", "tasksHealthy", "tasksUnhealthy", "lastTaskFailure", "readinessCheckResults",
      "taskStats", "tasksStats");

  private final MarathonFlags flags;

  public AppRequests(MarathonFlags flags) {
    this.flags = flags;
  }

  /** {@code POST /v2/apps}: the body must carry an id; a relative one is made absolute. */
  public ObjectNode create(JsonNode body) {
    if (body != null && body.isObject() && !LegacyFormats.present(body.get("id"))) {
      throw readFailure(List.of(Detail.of("/id", "error.path.missing")));
    }
    return Canonicalizer.canonical(prepare(body), flags);
  }

  /** {@code PUT} on an app that does not exist yet: the path is the id. */
  public ObjectNode createAt(String appId, JsonNode body) {
    ObjectNode input = prepare(body);
    input.put("id", appId);
    return Canonicalizer.canonical(input, flags);
  }

  /**
   * {@code PUT/PATCH} over a stored app. Partial updates keep every top-level field the body leaves out; a field the
   * body gives replaces the stored one whole, as Marathon's {@code AppUpdate} does.
   */
  public ObjectNode update(ObjectNode current, String appId, JsonNode body, boolean partial) {
    ObjectNode input = prepare(body);
    input.put("id", appId);
    ObjectNode merged;
    if (partial) {
      merged = current.deepCopy();
      READ_ONLY.forEach(merged::remove);
      merged.remove("uris");
      dropPortsOfOtherMode(merged, input);
      for (Iterator<Map.Entry<String, JsonNode>> it = input.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        merged.set(field.getKey(), field.getValue());
      }
    } else {
      merged = input;
    }
    return Canonicalizer.canonical(merged, flags);
  }

  /** A body of only {@code {"version": ...}} (and maybe the id) asks for a rollback to that stored version. */
  public static String rollbackVersion(JsonNode body) {
    if (body == null || !body.isObject() || !body.hasNonNull("version")) return null;
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!name.equals("version") && !name.equals("id")) {
        throw ApiException.invalid(List.of(Detail.of("/", "The 'version' field may only be combined with the 'id' field.")));
      }
    }
    return body.get("version").asText();
  }

  private ObjectNode prepare(JsonNode body) {
    if (body == null || !body.isObject()) throw readFailure(List.of(Detail.of("/", "error.expected.jsobject")));
    RamlReads.Result read = RamlReads.check(body, flags.version());
    if (!read.readErrors().isEmpty()) throw readFailure(read.readErrors());
    if (!read.ruleErrors().isEmpty()) throw ApiException.invalid(read.ruleErrors());
    ObjectNode input = body.deepCopy();
    READ_ONLY.forEach(input::remove);
    List<Detail> errors = new ArrayList<>();
    LegacyFormats.rewrite(input, errors);
    if (!errors.isEmpty()) throw ApiException.invalid(errors);
    return input;
  }

  /** JSON the reader refuses: 422 from 1.5 on, 400 on 1.4 ({@code MarathonExceptionMapper}, JsResultException). */
  private ApiException readFailure(List<Detail> details) {
    return ApiException.invalidJson(flags.version().atLeast(5) ? 422 : 400, details);
  }

  /** Switching network mode in a partial update must not leave the old mode's port list behind. */
  private static void dropPortsOfOtherMode(ObjectNode merged, ObjectNode input) {
    if (!input.has("networks")) return;
    boolean host = Canonicalizer.isHostMode(input.get("networks"));
    if (host && !input.has("container") && merged.get("container") instanceof ObjectNode container) {
      container.remove("portMappings");
    }
    if (!host && !input.has("portDefinitions")) merged.remove("portDefinitions");
  }
}
