package mdo.devcluster.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import mdo.devcluster.ApiException;
import mdo.devcluster.ApiException.Detail;

/**
 * Rewrites the pre-1.5 fields of a request body into the 1.5+ form, as Marathon's {@code AppNormalization} does:
 * {@code container.docker.network}/{@code ipAddress} → {@code networks}, {@code container.docker.portMappings} →
 * {@code container.portMappings}, {@code ports} → {@code portDefinitions}, {@code uris} → {@code fetch}.
 * Sending both forms of one thing is refused as Marathon refuses it: both port mapping lists, or both {@code uris}
 * and {@code fetch}, throw {@code NormalizationException}, which no mapper handles, so 500 with its message; the
 * other pairs fail {@code AppValidation.validateOldAppAPI} with 422.
 */
final class LegacyFormats {
  private LegacyFormats() {}

  static void rewrite(ObjectNode app, List<Detail> errors) {
    ObjectNode container = object(app.get("container"));
    ObjectNode docker = container == null ? null : object(container.get("docker"));
    rewriteNetwork(app, docker, errors);
    if (docker != null && present(docker.get("portMappings"))) {
      // AppNormalization.migrateDockerPortMappings: a given container.portMappings (even []) wins over an empty
      // docker list and conflicts with a non-empty one.
      if (present(container.get("portMappings")) && !docker.get("portMappings").isEmpty()) {
        throw ApiException.message(500, "cannot specify both portMappings and docker.portMappings");
      } else if (!present(container.get("portMappings"))) {
        container.set("portMappings", docker.get("portMappings"));
      }
    }
    if (docker != null) docker.remove("portMappings");
    if (present(app.get("ports"))) {
      if (present(app.get("portDefinitions")) && !samePorts(app.get("ports"), app.get("portDefinitions"))) {
        errors.add(Detail.of("/", "cannot specify both ports and port definitions"));
      } else if (!present(app.get("portDefinitions"))) {
        ArrayNode definitions = app.putArray("portDefinitions");
        for (JsonNode port : app.get("ports")) definitions.addObject().put("port", port.asInt());
      }
    }
    app.remove("ports");
    rewriteUris(app, errors);
    app.remove("storeUrls");
  }

  private static void rewriteNetwork(ObjectNode app, ObjectNode docker, List<Detail> errors) {
    JsonNode ipAddress = app.get("ipAddress");
    String networkName = present(ipAddress) ? ipAddress.path("networkName").asText(null) : null;
    if (docker != null && present(docker.get("network"))) {
      String network = docker.get("network").asText();
      if (present(app.get("networks"))) {
        errors.add(Detail.of("/", "must not specify both container.docker.network and networks"));
      } else {
        ArrayNode networks = app.putArray("networks");
        switch (network) {
          case "BRIDGE" -> networks.addObject().put("mode", "container/bridge");
          case "HOST" -> networks.addObject().put("mode", "host");
          case "USER", "NONE" -> {
            ObjectNode entry = networks.addObject().put("mode", "container");
            if (networkName != null) entry.put("name", networkName);
          }
          default -> errors.add(Detail.of("/container/docker/network", "must be one of BRIDGE, HOST, USER, NONE"));
        }
      }
    } else if (present(ipAddress) && present(app.get("networks"))) {
      errors.add(Detail.of("/", "must not specify both networks and ipAddress"));
    } else if (present(ipAddress)) {
      ObjectNode entry = app.putArray("networks").addObject().put("mode", "container");
      if (networkName != null) entry.put("name", networkName);
    }
    if (docker != null) docker.remove("network");
    app.remove("ipAddress");
  }

  /** {@code uris} may come back verbatim from our own output next to {@code fetch}; only a real conflict fails. */
  private static void rewriteUris(ObjectNode app, List<Detail> errors) {
    JsonNode uris = app.get("uris");
    if (!present(uris)) {
      app.remove("uris");
      return;
    }
    JsonNode fetch = app.get("fetch");
    if (present(fetch)) {
      Set<String> fromFetch = new HashSet<>();
      fetch.forEach(f -> fromFetch.add(f.path("uri").asText()));
      Set<String> fromUris = new HashSet<>();
      uris.forEach(u -> fromUris.add(u.asText()));
      if (!fromUris.isEmpty() && !fromUris.equals(fromFetch)) {
        throw ApiException.message(500, "cannot specify both uris and fetch fields");
      }
    } else {
      ArrayNode converted = app.putArray("fetch");
      for (JsonNode uri : uris) converted.addObject().put("uri", uri.asText());
    }
    app.remove("uris");
  }

  /** {@code portDefinitionsIsEquivalentToPorts}: the same numbers in the same order. */
  private static boolean samePorts(JsonNode ports, JsonNode definitions) {
    if (ports.size() != definitions.size()) return false;
    for (int i = 0; i < ports.size(); i++) {
      if (ports.get(i).asInt() != definitions.get(i).path("port").asInt(0)) return false;
    }
    return true;
  }

  static boolean present(JsonNode node) {
    return node != null && !node.isNull();
  }

  static ObjectNode object(JsonNode node) {
    return node instanceof ObjectNode o ? o : null;
  }
}
