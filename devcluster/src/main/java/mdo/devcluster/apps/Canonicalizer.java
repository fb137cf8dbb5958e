package mdo.devcluster.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import mdo.devcluster.ApiException;
import mdo.devcluster.ApiException.Detail;
import mdo.devcluster.Json;

/**
 * Builds the canonical app JSON (1.5+ networking, Marathon's defaults) from a type-checked body in the 1.5+ form,
 * and validates it. Defaults follow {@code app.raml@HEAD} and API.md §3.2 (backoff 1 s × 1.15 up to 300 s).
 */
final class Canonicalizer {
  static final Set<String> HEALTH_PROTOCOLS =
      Set.of("HTTP", "HTTPS", "TCP", "COMMAND", "MESOS_HTTP", "MESOS_HTTPS", "MESOS_TCP");
  static final Set<String> CONSTRAINT_OPERATORS =
      Set.of("UNIQUE", "CLUSTER", "GROUP_BY", "LIKE", "UNLIKE", "MAX_PER", "IS");
  private static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "udp,tcp");

  private final ObjectNode in;
  private final List<Detail> errors = new ArrayList<>();

  private Canonicalizer(ObjectNode in) {
    this.in = in;
  }

  static ObjectNode canonical(ObjectNode input) {
    Canonicalizer c = new Canonicalizer(input);
    ObjectNode out = c.build();
    if (!c.errors.isEmpty()) throw ApiException.invalid(c.errors);
    return out;
  }

  static boolean isHostMode(JsonNode networks) {
    if (networks == null || !networks.isArray() || networks.isEmpty()) return true;
    return "host".equals(networks.get(0).path("mode").asText("host"));
  }

  private ObjectNode build() {
    ObjectNode out = Json.object();
    String rawId = in.get("id").asText();
    List<String> idErrors = PathIds.errors(rawId);
    idErrors.forEach(e -> errors.add(Detail.of("/id", e)));
    out.put("id", idErrors.isEmpty() ? PathIds.canonical(rawId) : rawId);
    commandFields(out);
    out.set("user", text("user"));
    out.set("env", env());
    out.put("instances", atLeast("instances", 1, 0).intValue());
    out.put("cpus", atLeast("cpus", 1.0, 0.0).doubleValue());
    out.put("mem", atLeast("mem", 128.0, 0.0).doubleValue());
    out.put("disk", atLeast("disk", 0.0, 0.0).doubleValue());
    out.put("gpus", atLeast("gpus", 0, 0).intValue());
    out.put("executor", in.path("executor").asText(""));
    out.set("constraints", constraints());
    ArrayNode fetch = fetch();
    ArrayNode uris = out.putArray("uris");
    fetch.forEach(f -> uris.add(f.get("uri").asText()));
    out.set("fetch", fetch);
    out.putArray("storeUrls");
    out.put("backoffSeconds", atLeast("backoffSeconds", 1.0, 0.0).doubleValue());
    out.put("backoffFactor", atLeast("backoffFactor", 1.15, 1.0).doubleValue());
    out.put("maxLaunchDelaySeconds", atLeast("maxLaunchDelaySeconds", 300.0, 0.0).doubleValue());
    JsonNode networks = networks();
    boolean host = isHostMode(networks);
    JsonNode container = container(host, networks);
    out.set("container", container);
    int portCount = host ? 0 : container.isObject() ? container.path("portMappings").size() : 0;
    ArrayNode portDefinitions = host ? portDefinitions() : Json.array();
    if (host) portCount = portDefinitions.size();
    if (!host && LegacyFormats.present(in.get("portDefinitions")) && !in.get("portDefinitions").isEmpty()) {
      errors.add(Detail.of("/portDefinitions",
          "must be empty unless the network mode is host; use container.portMappings"));
    }
    out.set("healthChecks", healthChecks(portCount));
    out.set("readinessChecks", arrayOrEmpty("readinessChecks"));
    out.set("dependencies", dependencies());
    out.set("upgradeStrategy", upgradeStrategy());
    out.set("labels", stringMap("labels"));
    out.set("acceptedResourceRoles", LegacyFormats.present(in.get("acceptedResourceRoles"))
        ? in.get("acceptedResourceRoles") : Json.array().add("*"));
    out.put("requirePorts", in.path("requirePorts").asBoolean(false));
    out.set("networks", networks);
    out.set("portDefinitions", portDefinitions);
    String killSelection = in.path("killSelection").asText("YOUNGEST_FIRST");
    if (!killSelection.equals("YOUNGEST_FIRST") && !killSelection.equals("OLDEST_FIRST")) {
      errors.add(Detail.of("/killSelection", "must be one of YOUNGEST_FIRST, OLDEST_FIRST"));
    }
    out.put("killSelection", killSelection);
    out.set("unreachableStrategy", LegacyFormats.present(in.get("unreachableStrategy"))
        ? in.get("unreachableStrategy") : Json.object().put("inactiveAfterSeconds", 0).put("expungeAfterSeconds", 0));
    out.set("secrets", LegacyFormats.present(in.get("secrets")) ? in.get("secrets") : Json.object());
    if (LegacyFormats.present(in.get("taskKillGracePeriodSeconds"))) {
      out.put("taskKillGracePeriodSeconds", atLeast("taskKillGracePeriodSeconds", 0.0, 0.0).doubleValue());
    }
    return out;
  }

  private void commandFields(ObjectNode out) {
    boolean hasCmd = LegacyFormats.present(in.get("cmd"));
    boolean hasArgs = LegacyFormats.present(in.get("args"));
    boolean hasContainer = LegacyFormats.present(in.get("container"));
    if (hasCmd && hasArgs) {
      errors.add(Detail.of("/", "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'."));
    } else if (!hasCmd && !hasArgs && !hasContainer) {
      errors.add(Detail.of("/", "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'."));
    }
    if (hasCmd && in.get("cmd").asText().isBlank()) errors.add(Detail.of("/cmd", "must not be empty"));
    out.set("cmd", hasCmd ? in.get("cmd") : NullNode.getInstance());
    out.set("args", hasArgs ? in.get("args") : NullNode.getInstance());
  }

  private JsonNode text(String field) {
    return LegacyFormats.present(in.get(field)) ? in.get(field) : NullNode.getInstance();
  }

  private Number atLeast(String field, Number fallback, Number min) {
    JsonNode value = in.get(field);
    if (!LegacyFormats.present(value)) return fallback;
    if (value.asDouble() < min.doubleValue()) {
      String got = value.isIntegralNumber() ? value.asText() : Double.toString(value.asDouble());
      errors.add(Detail.of("/" + field, "got " + got + ", expected " + min + " or more"));
    }
    return fallback instanceof Integer ? (Number) value.asInt() : (Number) value.asDouble();
  }

  private ObjectNode env() {
    ObjectNode env = Json.object();
    JsonNode given = in.get("env");
    if (!LegacyFormats.present(given)) return env;
    given.fields().forEachRemaining(e -> {
      JsonNode v = e.getValue();
      if (v.isTextual() || (v.isObject() && v.path("secret").isTextual())) {
        env.set(e.getKey(), v);
      } else {
        errors.add(Detail.of("/env(" + e.getKey() + ")", "must be a string or {\"secret\": \"<name>\"}"));
      }
    });
    return env;
  }

  private ObjectNode stringMap(String field) {
    ObjectNode map = Json.object();
    JsonNode given = in.get(field);
    if (!LegacyFormats.present(given)) return map;
    given.fields().forEachRemaining(e -> {
      if (e.getValue().isTextual()) {
        map.set(e.getKey(), e.getValue());
      } else {
        errors.add(Detail.of("/" + field + "(" + e.getKey() + ")", "error.expected.jsstring"));
      }
    });
    return map;
  }

  private ArrayNode arrayOrEmpty(String field) {
    JsonNode given = in.get(field);
    return LegacyFormats.present(given) ? (ArrayNode) given : Json.array();
  }

  private ArrayNode constraints() {
    ArrayNode constraints = arrayOrEmpty("constraints");
    for (int i = 0; i < constraints.size(); i++) {
      JsonNode c = constraints.get(i);
      String path = "/constraints(" + i + ")";
      boolean shaped = c.isArray() && c.size() >= 2 && c.size() <= 3;
      for (JsonNode part : c) shaped &= part.isTextual();
      if (!shaped) {
        errors.add(Detail.of(path, "Each constraint must be an array of 2 or 3 strings: [field, OPERATOR, value]"));
      } else if (!CONSTRAINT_OPERATORS.contains(c.get(1).asText())) {
        errors.add(Detail.of(path, "Constraint operator must be one of the following UNIQUE, CLUSTER, GROUP_BY,"
            + " LIKE, UNLIKE, MAX_PER, IS"));
      }
    }
    return constraints;
  }

  private ArrayNode fetch() {
    ArrayNode fetch = Json.array();
    ArrayNode given = arrayOrEmpty("fetch");
    for (int i = 0; i < given.size(); i++) {
      JsonNode f = given.get(i);
      if (!f.path("uri").isTextual()) {
        errors.add(Detail.of("/fetch(" + i + ")/uri", "error.path.missing"));
        continue;
      }
      ObjectNode entry = fetch.addObject();
      entry.put("uri", f.get("uri").asText());
      entry.put("extract", f.path("extract").asBoolean(true));
      entry.put("executable", f.path("executable").asBoolean(false));
      entry.put("cache", f.path("cache").asBoolean(false));
      if (f.hasNonNull("destPath")) entry.put("destPath", f.get("destPath").asText());
    }
    return fetch;
  }

  private ArrayNode dependencies() {
    ArrayNode dependencies = Json.array();
    ArrayNode given = arrayOrEmpty("dependencies");
    for (int i = 0; i < given.size(); i++) {
      String dep = given.get(i).asText();
      List<String> depErrors = PathIds.errors(dep);
      for (String e : depErrors) errors.add(Detail.of("/dependencies(" + i + ")", e));
      dependencies.add(depErrors.isEmpty() ? PathIds.canonical(dep) : dep);
    }
    return dependencies;
  }

  private ObjectNode upgradeStrategy() {
    JsonNode given = in.path("upgradeStrategy");
    ObjectNode out = Json.object();
    for (String field : List.of("minimumHealthCapacity", "maximumOverCapacity")) {
      double value = given.path(field).asDouble(1.0);
      if (value > 1) errors.add(Detail.of("/upgradeStrategy/" + field, "is greater than 1"));
      if (value < 0) errors.add(Detail.of("/upgradeStrategy/" + field, "is less than 0"));
      out.put(field, value);
    }
    return out;
  }

  private ArrayNode networks() {
    JsonNode given = in.get("networks");
    ArrayNode networks = Json.array();
    if (!LegacyFormats.present(given) || given.isEmpty()) {
      networks.addObject().put("mode", "host");
      return networks;
    }
    Set<String> modes = new HashSet<>();
    for (int i = 0; i < given.size(); i++) {
      JsonNode n = given.get(i);
      String mode = n.path("mode").asText("container");
      if (!Set.of("host", "container/bridge", "container").contains(mode)) {
        errors.add(Detail.of("/networks(" + i + ")/mode", "must be one of host, container/bridge, container"));
      }
      modes.add(mode);
      ObjectNode entry = networks.addObject().put("mode", mode);
      if (n.hasNonNull("name")) entry.put("name", n.get("name").asText());
      if (n.hasNonNull("labels")) entry.set("labels", n.get("labels"));
    }
    if (modes.size() > 1) errors.add(Detail.of("/networks", "Network modes must not be mixed"));
    if ((modes.contains("host") || modes.contains("container/bridge")) && given.size() > 1) {
      errors.add(Detail.of("/networks", "There may be at most one host or container/bridge network"));
    }
    return networks;
  }

  private JsonNode container(boolean host, JsonNode networks) {
    JsonNode given = in.get("container");
    boolean bridge = !host && "container/bridge".equals(networks.get(0).path("mode").asText());
    if (!LegacyFormats.present(given)) {
      if (!host) errors.add(Detail.of("/container", "is required when the network mode is not host"));
      return NullNode.getInstance();
    }
    ObjectNode out = Json.object();
    JsonNode docker = given.get("docker");
    String type = given.path("type").asText("DOCKER");
    if (!type.equals("DOCKER") && !type.equals("MESOS")) {
      errors.add(Detail.of("/container/type", "must be one of DOCKER, MESOS"));
    }
    out.put("type", type);
    if (LegacyFormats.present(docker)) {
      ObjectNode d = out.putObject("docker");
      String image = docker.path("image").asText("");
      if (image.isBlank()) errors.add(Detail.of("/container/docker/image", "must not be empty"));
      d.put("image", image);
      d.put("forcePullImage", docker.path("forcePullImage").asBoolean(false));
      if (type.equals("DOCKER")) d.put("privileged", docker.path("privileged").asBoolean(false));
      d.set("parameters", LegacyFormats.present(docker.get("parameters")) ? docker.get("parameters") : Json.array());
    } else if (type.equals("DOCKER")) {
      errors.add(Detail.of("/container/docker", "must not be empty for a DOCKER container"));
    }
    out.set("volumes", LegacyFormats.present(given.get("volumes")) ? given.get("volumes") : Json.array());
    JsonNode mappings = given.get("portMappings");
    if (host) {
      if (LegacyFormats.present(mappings) && !mappings.isEmpty()) {
        errors.add(Detail.of("/container/portMappings",
            "port mappings are not allowed with host networking; use portDefinitions"));
      }
    } else {
      out.set("portMappings", portMappings(mappings, bridge));
    }
    return out;
  }

  private ArrayNode portMappings(JsonNode given, boolean bridge) {
    ArrayNode out = Json.array();
    if (!LegacyFormats.present(given)) {
      ObjectNode dflt = out.addObject().put("containerPort", 0);
      if (bridge) dflt.put("hostPort", 0);
      dflt.put("servicePort", 0).put("protocol", "tcp").put("name", "default");
      dflt.putObject("labels");
      return out;
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < given.size(); i++) {
      JsonNode m = given.get(i);
      String path = "/container/portMappings(" + i + ")";
      ObjectNode entry = out.addObject();
      entry.put("containerPort", port(m, "containerPort", 0, path));
      if (m.hasNonNull("hostPort") || bridge) entry.put("hostPort", port(m, "hostPort", 0, path));
      entry.put("servicePort", port(m, "servicePort", 0, path));
      entry.put("protocol", protocol(m, path));
      name(m, entry, names, "/container/portMappings");
      entry.set("labels", m.hasNonNull("labels") ? m.get("labels") : Json.object());
      if (m.hasNonNull("networkNames")) entry.set("networkNames", m.get("networkNames"));
    }
    return out;
  }

  private ArrayNode portDefinitions() {
    JsonNode given = in.get("portDefinitions");
    ArrayNode out = Json.array();
    if (!LegacyFormats.present(given)) {
      ObjectNode dflt = out.addObject().put("port", 0).put("protocol", "tcp").put("name", "default");
      dflt.putObject("labels");
      return out;
    }
    Set<String> names = new HashSet<>();
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < given.size(); i++) {
      JsonNode d = given.get(i);
      String path = "/portDefinitions(" + i + ")";
      ObjectNode entry = out.addObject();
      int port = port(d, "port", 0, path);
      if (port != 0 && !ports.add(port)) errors.add(Detail.of("/portDefinitions", "Ports must be unique."));
      entry.put("port", port);
      entry.put("protocol", protocol(d, path));
      name(d, entry, names, "/portDefinitions");
      entry.set("labels", d.hasNonNull("labels") ? d.get("labels") : Json.object());
    }
    return out;
  }

  private int port(JsonNode node, String field, int fallback, String path) {
    int value = node.path(field).asInt(fallback);
    if (value < 0 || value > 65535) errors.add(Detail.of(path + "/" + field, "got " + value + ", expected 0..65535"));
    return value;
  }

  private String protocol(JsonNode node, String path) {
    String protocol = node.path("protocol").asText("tcp");
    if (!PROTOCOLS.contains(protocol)) errors.add(Detail.of(path + "/protocol", "must be one of tcp, udp, udp,tcp"));
    return protocol;
  }

  private void name(JsonNode node, ObjectNode entry, Set<String> names, String listPath) {
    if (!node.hasNonNull("name")) return;
    String name = node.get("name").asText();
    if (!name.matches("^[a-z0-9-]+$")) {
      errors.add(Detail.of(listPath, "Port name '" + name + "' must match ^[a-z0-9-]+$"));
    }
    if (!names.add(name)) errors.add(Detail.of(listPath, "Port names must be unique."));
    entry.put("name", name);
  }

  private ArrayNode healthChecks(int portCount) {
    ArrayNode out = Json.array();
    ArrayNode given = arrayOrEmpty("healthChecks");
    for (int i = 0; i < given.size(); i++) {
      out.add(HealthCheckDefaults.canonical(given.get(i), "/healthChecks(" + i + ")", portCount, errors));
    }
    return out;
  }
}
