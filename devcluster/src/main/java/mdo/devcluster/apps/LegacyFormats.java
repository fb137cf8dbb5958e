package mdo.devcluster.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import mdo.devcluster.ApiException.Detail;

/**
 * Rewrites the pre-1.5 fields of a request body into the 1.5+ form, as Marathon's {@code AppNormalization} does:
 * {@code container.docker.network}/{@code ipAddress} → {@code networks}, {@code container.docker.portMappings} →
 * {@code container.portMappings}, {@code ports} → {@code portDefinitions}, {@code uris} → {@code fetch}.
 * Sending both forms of one thing is an error (Marathon answers 500 there; we answer 422 with a detail).
 */
final class LegacyFormats {
  private LegacyFormats() {}

  static void rewrite(ObjectNode app, List<Detail> errors) {
    ObjectNode container = object(app.get("container"));
    ObjectNode docker = container == null ? null : object(container.get("docker"));
    rewriteNetwork(app, docker, errors);
    if (docker != null && present(docker.get("portMappings"))) {
      if (present(container.get("portMappings"))) {
        errors.add(Detail.of("/container/docker/portMappings",
            "cannot be combined with container.portMappings: send one of them (container.portMappings is the 1.5+ form)"));
      } else {
        container.set("portMappings", docker.get("portMappings"));
      }
    }
    if (docker != null) docker.remove("portMappings");
    if (present(app.get("ports"))) {
      if (present(app.get("portDefinitions"))) {
        errors.add(Detail.of("/ports", "cannot be combined with portDefinitions: send one of them"));
      } else {
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
        errors.add(Detail.of("/container/docker/network",
            "cannot be combined with networks: send one of them (networks is the 1.5+ form)"));
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
    } else if (present(ipAddress) && !present(app.get("networks"))) {
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
        errors.add(Detail.of("/uris", "cannot be combined with fetch: send one of them (fetch is the 1.5+ form)"));
      }
    } else {
      ArrayNode converted = app.putArray("fetch");
      for (JsonNode uri : uris) converted.addObject().put("uri", uri.asText());
    }
    app.remove("uris");
  }

  static boolean present(JsonNode node) {
    return node != null && !node.isNull();
  }

  static ObjectNode object(JsonNode node) {
    return node instanceof ObjectNode o ? o : null;
  }
}
