package mdo.devcluster.apps;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import mdo.devcluster.ApiException.Detail;

/**
 * Type checks of an app body, reported with Play JSON's error keys ({@code error.expected.jsnumber} ...) the way
 * Marathon's readers report them. A JSON {@code null} counts as absent, as Play reads it into {@code None}.
 */
final class JsonTypes {
  enum Kind { STRING, NUMBER, INT, BOOLEAN, ARRAY, OBJECT, ANY }

  private static final Map<String, Kind> APP = Map.ofEntries(
      Map.entry("id", Kind.STRING), Map.entry("cmd", Kind.STRING), Map.entry("user", Kind.STRING),
      Map.entry("executor", Kind.STRING), Map.entry("killSelection", Kind.STRING), Map.entry("role", Kind.STRING),
      Map.entry("version", Kind.STRING),
      Map.entry("cpus", Kind.NUMBER), Map.entry("mem", Kind.NUMBER), Map.entry("disk", Kind.NUMBER),
      Map.entry("gpus", Kind.INT), Map.entry("instances", Kind.INT), Map.entry("backoffSeconds", Kind.NUMBER),
      Map.entry("backoffFactor", Kind.NUMBER), Map.entry("maxLaunchDelaySeconds", Kind.NUMBER),
      Map.entry("taskKillGracePeriodSeconds", Kind.NUMBER),
      Map.entry("requirePorts", Kind.BOOLEAN), Map.entry("tty", Kind.BOOLEAN),
      Map.entry("args", Kind.ARRAY), Map.entry("constraints", Kind.ARRAY), Map.entry("dependencies", Kind.ARRAY),
      Map.entry("healthChecks", Kind.ARRAY), Map.entry("readinessChecks", Kind.ARRAY),
      Map.entry("portDefinitions", Kind.ARRAY), Map.entry("networks", Kind.ARRAY), Map.entry("fetch", Kind.ARRAY),
      Map.entry("uris", Kind.ARRAY), Map.entry("ports", Kind.ARRAY), Map.entry("acceptedResourceRoles", Kind.ARRAY),
      Map.entry("storeUrls", Kind.ARRAY),
      Map.entry("env", Kind.OBJECT), Map.entry("labels", Kind.OBJECT), Map.entry("container", Kind.OBJECT),
      Map.entry("upgradeStrategy", Kind.OBJECT), Map.entry("secrets", Kind.OBJECT), Map.entry("ipAddress", Kind.OBJECT));
  private static final Map<String, Kind> CONTAINER = Map.of(
      "type", Kind.STRING, "docker", Kind.OBJECT, "portMappings", Kind.ARRAY, "volumes", Kind.ARRAY);
  private static final Map<String, Kind> DOCKER = Map.of(
      "image", Kind.STRING, "forcePullImage", Kind.BOOLEAN, "privileged", Kind.BOOLEAN,
      "parameters", Kind.ARRAY, "network", Kind.STRING, "portMappings", Kind.ARRAY);
  private static final Map<String, Kind> HEALTH_CHECK = Map.ofEntries(
      Map.entry("protocol", Kind.STRING), Map.entry("path", Kind.STRING), Map.entry("portIndex", Kind.INT),
      Map.entry("port", Kind.INT), Map.entry("gracePeriodSeconds", Kind.NUMBER),
      Map.entry("intervalSeconds", Kind.NUMBER), Map.entry("timeoutSeconds", Kind.NUMBER),
      Map.entry("maxConsecutiveFailures", Kind.INT), Map.entry("delaySeconds", Kind.NUMBER),
      Map.entry("command", Kind.OBJECT), Map.entry("ignoreHttp1xx", Kind.BOOLEAN));
  private static final Map<String, Kind> PORT_DEFINITION = Map.of(
      "port", Kind.INT, "protocol", Kind.STRING, "name", Kind.STRING, "labels", Kind.OBJECT);
  private static final Map<String, Kind> PORT_MAPPING = Map.of(
      "containerPort", Kind.INT, "hostPort", Kind.INT, "servicePort", Kind.INT, "protocol", Kind.STRING,
      "name", Kind.STRING, "labels", Kind.OBJECT, "networkNames", Kind.ARRAY);
  private static final Map<String, Kind> NETWORK = Map.of("mode", Kind.STRING, "name", Kind.STRING, "labels", Kind.OBJECT);
  private static final Map<String, Kind> UPGRADE = Map.of(
      "minimumHealthCapacity", Kind.NUMBER, "maximumOverCapacity", Kind.NUMBER);

  private JsonTypes() {}

  /** Adds one detail per field of the wrong type. */
  static void check(JsonNode app, List<Detail> out) {
    fields(app, "", APP, out);
    JsonNode container = app.get("container");
    if (container != null && container.isObject()) {
      fields(container, "/container", CONTAINER, out);
      JsonNode docker = container.get("docker");
      if (docker != null && docker.isObject()) {
        fields(docker, "/container/docker", DOCKER, out);
        elements(docker.get("portMappings"), "/container/docker/portMappings", PORT_MAPPING, out);
      }
      elements(container.get("portMappings"), "/container/portMappings", PORT_MAPPING, out);
    }
    elements(app.get("healthChecks"), "/healthChecks", HEALTH_CHECK, out);
    elements(app.get("portDefinitions"), "/portDefinitions", PORT_DEFINITION, out);
    elements(app.get("networks"), "/networks", NETWORK, out);
    JsonNode upgrade = app.get("upgradeStrategy");
    if (upgrade != null && upgrade.isObject()) fields(upgrade, "/upgradeStrategy", UPGRADE, out);
    strings(app.get("args"), "/args", out);
    ints(app.get("ports"), "/ports", out);
  }

  private static void elements(JsonNode array, String path, Map<String, Kind> kinds, List<Detail> out) {
    if (array == null || !array.isArray()) return;
    for (int i = 0; i < array.size(); i++) {
      String at = path + "(" + i + ")";
      JsonNode element = array.get(i);
      if (!element.isObject()) {
        out.add(Detail.of(at, "error.expected.jsobject"));
      } else {
        fields(element, at, kinds, out);
      }
    }
  }

  private static void fields(JsonNode object, String path, Map<String, Kind> kinds, List<Detail> out) {
    kinds.forEach((name, kind) -> {
      JsonNode value = object.get(name);
      if (value == null || value.isNull()) return;
      String error = mismatch(value, kind);
      if (error != null) out.add(Detail.of(path + "/" + name, error));
    });
  }

  private static void strings(JsonNode array, String path, List<Detail> out) {
    if (array == null || !array.isArray()) return;
    for (int i = 0; i < array.size(); i++) {
      if (!array.get(i).isTextual()) out.add(Detail.of(path + "(" + i + ")", "error.expected.jsstring"));
    }
  }

  private static void ints(JsonNode array, String path, List<Detail> out) {
    if (array == null || !array.isArray()) return;
    for (int i = 0; i < array.size(); i++) {
      String error = mismatch(array.get(i), Kind.INT);
      if (error != null) out.add(Detail.of(path + "(" + i + ")", error));
    }
  }

  /** Play's {@code IntReads} accepts any number that is a valid int, so {@code 2.0} is fine. */
  private static boolean isInt(JsonNode value) {
    double d = value.asDouble();
    return d == Math.rint(d) && d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE;
  }

  static String mismatch(JsonNode value, Kind kind) {
    return switch (kind) {
      case STRING -> value.isTextual() ? null : "error.expected.jsstring";
      case NUMBER -> value.isNumber() ? null : "error.expected.jsnumber";
      case INT -> !value.isNumber() ? "error.expected.jsnumber" : isInt(value) ? null : "error.expected.int";
      case BOOLEAN -> value.isBoolean() ? null : "error.expected.jsboolean";
      case ARRAY -> value.isArray() ? null : "error.expected.jsarray";
      case OBJECT -> value.isObject() ? null : "error.expected.jsobject";
      case ANY -> null;
    };
  }
}
