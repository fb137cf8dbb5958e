package mdo.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import mdo.marathon.AppPort;
import mdo.marathon.MarathonApp;

/**
 * Compares the app mdo wants with the app Marathon has, on the fields mdo sets only. Both sides are first reduced to
 * a canonical form that ignores what Marathon adds (service ports, defaults such as {@code forcePullImage}, version
 * data) and reads both networking formats, so an unchanged service yields no differences and no update.
 */
public final class AppDiff {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private AppDiff() {}

  /** Human-readable differences, e.g. {@code "cpus: 0.3 -> 0.5"}; empty when Marathon already runs {@code desired}. */
  public static List<String> differences(JsonNode desired, JsonNode current) {
    ObjectNode want = canonical(desired);
    ObjectNode have = canonical(current);
    List<String> out = new ArrayList<>();
    want.fieldNames().forEachRemaining(field -> {
      JsonNode w = want.get(field);
      JsonNode h = have.get(field);
      if (w.equals(h)) return;
      if (w.isObject() && h.isObject()) {
        TreeSet<String> keys = new TreeSet<>();
        w.fieldNames().forEachRemaining(keys::add);
        h.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
          if (!w.path(k).equals(h.path(k))) out.add(field + "." + k + ": " + show(h.get(k)) + " -> " + show(w.get(k)));
        }
      } else {
        out.add(field + ": " + show(h) + " -> " + show(w));
      }
    });
    return out;
  }

  static ObjectNode canonical(JsonNode app) {
    MarathonApp parsed = MarathonApp.from(app);
    ObjectNode c = NODES.objectNode();
    c.set("cmd", text(app.get("cmd")));
    JsonNode args = app.get("args");
    c.set("args", args == null || args.isNull() || args.isEmpty() ? NODES.nullNode() : args);
    c.put("cpus", app.path("cpus").asDouble(1));
    c.put("mem", app.path("mem").asDouble(128));
    c.put("instances", app.path("instances").asInt(1));
    c.set("env", sortedStrings(app.path("env")));
    c.set("labels", sortedStrings(app.path("labels")));
    c.set("constraints", sortedArrays(app.path("constraints")));
    c.set("image", text(app.path("container").path("docker").get("image")));
    c.put("network", parsed.hostNetworking() ? "host" : "bridge");
    boolean requirePorts = app.path("requirePorts").asBoolean(false);
    ArrayNode ports = c.putArray("ports");
    for (AppPort p : parsed.ports()) {
      // Marathon fills a host-network port 0 with a service port unless requirePorts makes it literal.
      int hostPort = parsed.hostNetworking() && !requirePorts ? 0 : Math.max(p.hostPort(), 0);
      ports.add(p.name() + " " + p.containerPort() + ":" + hostPort + "/" + p.protocol());
    }
    c.put("requirePorts", parsed.hostNetworking() && requirePorts);
    ArrayNode volumes = c.putArray("volumes");
    for (JsonNode v : app.path("container").path("volumes")) {
      volumes.add(v.path("containerPath").asText() + " " + v.path("hostPath").asText() + " " + v.path("mode").asText("RW"));
    }
    ArrayNode checks = c.putArray("healthChecks");
    for (JsonNode h : app.path("healthChecks")) checks.add(check(h));
    return c;
  }

  private static ObjectNode check(JsonNode h) {
    String protocol = h.path("protocol").asText("HTTP");
    ObjectNode c = NODES.objectNode().put("protocol", protocol);
    if (protocol.equals("COMMAND")) {
      c.put("command", h.path("command").path("value").asText());
    } else {
      c.put("portIndex", h.path("portIndex").asInt(0));
      if (protocol.contains("HTTP")) c.put("path", h.path("path").asText("/"));
    }
    c.put("grace", h.path("gracePeriodSeconds").asLong(300));
    c.put("interval", h.path("intervalSeconds").asLong(60));
    c.put("timeout", h.path("timeoutSeconds").asLong(20));
    c.put("maxFailures", h.path("maxConsecutiveFailures").asInt(3));
    return c;
  }

  private static JsonNode text(JsonNode node) {
    return node == null || node.isNull() || node.asText().isEmpty() ? NODES.nullNode() : NODES.textNode(node.asText());
  }

  private static ObjectNode sortedStrings(JsonNode map) {
    Map<String, String> sorted = new TreeMap<>();
    map.properties().forEach(e -> sorted.put(e.getKey(), e.getValue().asText()));
    ObjectNode out = NODES.objectNode();
    sorted.forEach(out::put);
    return out;
  }

  private static ArrayNode sortedArrays(JsonNode arrays) {
    TreeSet<String> sorted = new TreeSet<>();
    for (JsonNode a : arrays) {
      List<String> parts = new ArrayList<>();
      a.forEach(p -> parts.add(p.asText()));
      sorted.add(String.join(":", parts));
    }
    ArrayNode out = NODES.arrayNode();
    sorted.forEach(out::add);
    return out;
  }

  private static String show(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode() ? "(none)" : node.isTextual() ? node.asText() : node.toString();
  }
}
