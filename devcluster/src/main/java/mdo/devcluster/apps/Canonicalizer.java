package mdo.devcluster.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import mdo.devcluster.ApiException;
import mdo.devcluster.ApiException.Detail;
import mdo.devcluster.Json;
import mdo.devcluster.MarathonFlags;

/**
 * Builds the canonical app JSON (1.5+ networking, Marathon's defaults) from a body the reader accepted
 * ({@link RamlReads}), and applies Marathon's validation rules ({@code AppValidation.scala},
 * {@code SchedulingValidation.scala}), answering 422 "Object is not valid" with Accord's paths and wording. Defaults
 * follow {@code app.raml} (backoff 1 s x 1.15 up to 3600 s before 1.8, 300 s from 1.8).
 */
final class Canonicalizer {
  static final Set<String> CONSTRAINT_OPERATORS =
      Set.of("UNIQUE", "CLUSTER", "GROUP_BY", "LIKE", "UNLIKE", "MAX_PER", "IS");
  /** {@code SchedulingValidationMessages.MesosLiteralOrFloatValue}: what IS accepts. */
  private static final Pattern MESOS_LITERAL = Pattern.compile("^[a-zA-Z0-9_/.-]*$");
  private static final String IS_ONLY_SUPPORTS_TEXT = "IS only supports Mesos text and float values"
      + " (see http://mesos.apache.org/documentation/latest/attributes-resources/)";

  private final ObjectNode in;
  private final MarathonFlags flags;
  private final List<Detail> errors = new ArrayList<>();

  private Canonicalizer(ObjectNode in, MarathonFlags flags) {
    this.in = in;
    this.flags = flags;
  }

  static ObjectNode canonical(ObjectNode input, MarathonFlags flags) {
    Canonicalizer c = new Canonicalizer(input, flags);
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
    List<String> idErrors = PathIds.errors(rawId, flags.version());
    idErrors.forEach(e -> errors.add(Detail.of("/id", e)));
    out.put("id", idErrors.isEmpty() ? PathIds.canonical(rawId) : rawId);
    commandFields(out);
    out.set("user", text("user"));
    out.set("env", env());
    out.put("instances", in.path("instances").asInt(1));
    out.put("cpus", in.path("cpus").asDouble(1.0));
    out.put("mem", in.path("mem").asDouble(128.0));
    out.put("disk", in.path("disk").asDouble(0.0));
    out.put("gpus", in.path("gpus").asInt(0));
    out.put("executor", in.path("executor").asText(""));
    out.set("constraints", constraints());
    ArrayNode fetch = fetch();
    if (!flags.version().atLeast(5)) {
      // 1.4 wrote the pre-fetch fields too; 1.5+ never emits uris or storeUrls (API.md §3.3).
      ArrayNode uris = out.putArray("uris");
      fetch.forEach(f -> uris.add(f.get("uri").asText()));
      out.putArray("storeUrls");
    }
    out.set("fetch", fetch);
    out.put("backoffSeconds", in.path("backoffSeconds").asInt(1));
    out.put("backoffFactor", in.path("backoffFactor").asDouble(1.15));
    // maxLaunchDelaySeconds fell from 3600 to 300 in 1.8 (app.raml@r1.7 vs @r1.8).
    out.put("maxLaunchDelaySeconds", in.path("maxLaunchDelaySeconds").asInt(flags.version().atLeast(8) ? 300 : 3600));
    JsonNode networks = networks();
    boolean host = isHostMode(networks);
    JsonNode container = container(host, networks);
    out.set("container", container);
    int portCount = host ? 0 : container.isObject() ? container.path("portMappings").size() : 0;
    ArrayNode portDefinitions = host ? portDefinitions() : Json.array();
    if (host) portCount = portDefinitions.size();
    if (!host && LegacyFormats.present(in.get("portDefinitions")) && !in.get("portDefinitions").isEmpty()) {
      errors.add(Detail.of("/", "portDefinitions are only allowed with host-networking"));
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
    out.put("killSelection", in.path("killSelection").asText("YOUNGEST_FIRST"));
    out.set("unreachableStrategy", LegacyFormats.present(in.get("unreachableStrategy"))
        ? in.get("unreachableStrategy") : Json.object().put("inactiveAfterSeconds", 0).put("expungeAfterSeconds", 0));
    out.set("secrets", secrets());
    if (LegacyFormats.present(in.get("taskKillGracePeriodSeconds"))) {
      out.put("taskKillGracePeriodSeconds", in.get("taskKillGracePeriodSeconds").asInt());
    }
    gpuRules(out);
    return out;
  }

  /**
   * Either {@code cmd} or {@code args}, or a container. From 1.5 a {@code cmd} must be longer than one character:
   * {@code isTrue("must not be an empty string")(_.cmd.forall(_.length() > 1))} in {@code validateCanonicalAppAPI}.
   */
  private void commandFields(ObjectNode out) {
    boolean hasCmd = LegacyFormats.present(in.get("cmd"));
    boolean hasArgs = LegacyFormats.present(in.get("args"));
    boolean hasContainer = LegacyFormats.present(in.get("container"));
    if ((hasCmd && hasArgs) || (!hasCmd && !hasArgs && !hasContainer)) {
      errors.add(Detail.of("/", "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'."));
    }
    if (hasCmd && flags.version().atLeast(5) && in.get("cmd").asText().length() <= 1) {
      errors.add(Detail.of("/", "must not be an empty string"));
    }
    out.set("cmd", hasCmd ? in.get("cmd") : NullNode.getInstance());
    out.set("args", hasArgs ? in.get("args") : NullNode.getInstance());
  }

  /** {@code complyWithGpuRules}: GPUs need the gpu_resources feature and the Mesos containerizer. */
  private void gpuRules(ObjectNode out) {
    if (out.path("gpus").asInt() <= 0) return;
    if ("DOCKER".equals(out.path("container").path("type").asText(null))) {
      errors.add(Detail.of("/", "GPU resources only work with the Mesos containerizer"));
    }
    if (!flags.enabled(MarathonFlags.GPU_RESOURCES)) {
      errors.add(Detail.of("/", featureMissing(MarathonFlags.GPU_RESOURCES)));
    }
  }

  private ObjectNode secrets() {
    JsonNode given = in.get("secrets");
    if (!LegacyFormats.present(given)) return Json.object();
    if (!given.isEmpty() && !flags.enabled(MarathonFlags.SECRETS)) {
      errors.add(Detail.of("/secrets", featureMissing(MarathonFlags.SECRETS)));
    }
    return (ObjectNode) given;
  }

  /** {@code Validation.featureEnabled}, stray parenthesis included. */
  private static String featureMissing(String feature) {
    return "Feature " + feature + " is not enabled. Enable with --enable_features " + feature + ")";
  }

  private JsonNode text(String field) {
    return LegacyFormats.present(in.get(field)) ? in.get(field) : NullNode.getInstance();
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

  /** {@code complyWithAppConstraintRules} and {@code complyWithConstraintRules} of {@code SchedulingValidation}. */
  private ArrayNode constraints() {
    ArrayNode constraints = arrayOrEmpty("constraints");
    for (int i = 0; i < constraints.size(); i++) {
      String problem = constraintProblem(constraints.get(i));
      if (problem != null) errors.add(Detail.of("/constraints(" + i + ")", problem));
    }
    return constraints;
  }

  private static String constraintProblem(JsonNode c) {
    if (c.size() < 2 || c.size() > 3) return "Each constraint must have either 2 or 3 fields";
    String field = c.get(0).asText();
    if (field.isEmpty()) return "illegal constraint specification";
    String operator = c.get(1).asText().toUpperCase(Locale.ROOT);
    String value = c.size() == 3 ? c.get(2).asText() : null;
    if (!CONSTRAINT_OPERATORS.contains(operator)) {
      return "operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER, UNLIKE or IS";
    }
    return switch (operator) {
      case "UNIQUE" -> value == null ? null : "UNIQUE does not accept a value";
      case "GROUP_BY" -> value == null || isInt(value) ? null
          : "GROUP BY must define an integer value or else no value at all";
      case "MAX_PER" -> value != null && isInt(value) ? null : "MAX_PER requires an integer value";
      case "LIKE", "UNLIKE" -> {
        if (value == null) yield "LIKE and UNLIKE require a non-empty, regular expression value";
        try {
          Pattern.compile(value);
          yield null;
        } catch (PatternSyntaxException e) {
          yield "is not a valid regular expression";
        }
      }
      case "IS" -> MESOS_LITERAL.matcher(value == null ? "" : value).matches() ? null : IS_ONLY_SUPPORTS_TEXT;
      default -> null;
    };
  }

  /** Scala's {@code Try(s.toInt)}: an optional sign and digits that fit an int. */
  private static boolean isInt(String s) {
    try {
      Integer.parseInt(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
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
      List<String> depErrors = PathIds.errors(dep, flags.version());
      for (String e : depErrors) errors.add(Detail.of("/dependencies(" + i + ")", e));
      dependencies.add(depErrors.isEmpty() ? PathIds.canonical(dep) : dep);
    }
    return dependencies;
  }

  /** The reader checked both fields (required, 0..1); absent, Marathon's default is 1 / 1. */
  private ObjectNode upgradeStrategy() {
    JsonNode given = in.path("upgradeStrategy");
    ObjectNode out = Json.object();
    out.put("minimumHealthCapacity", given.path("minimumHealthCapacity").asDouble(1.0));
    out.put("maximumOverCapacity", given.path("maximumOverCapacity").asDouble(1.0));
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
        errors.add(Detail.of("/", "portMappings are not allowed with host-networking"));
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
      ObjectNode entry = out.addObject();
      entry.put("containerPort", m.path("containerPort").asInt(0));
      if (m.hasNonNull("hostPort") || bridge) entry.put("hostPort", m.path("hostPort").asInt(0));
      entry.put("servicePort", m.path("servicePort").asInt(0));
      entry.put("protocol", m.path("protocol").asText("tcp"));
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
      ObjectNode entry = out.addObject();
      int port = d.path("port").asInt(0);
      if (port != 0 && !ports.add(port)) errors.add(Detail.of("/portDefinitions", "Ports must be unique."));
      entry.put("port", port);
      entry.put("protocol", d.path("protocol").asText("tcp"));
      name(d, entry, names, "/portDefinitions");
      entry.set("labels", d.hasNonNull("labels") ? d.get("labels") : Json.object());
    }
    return out;
  }

  private void name(JsonNode node, ObjectNode entry, Set<String> names, String listPath) {
    if (!node.hasNonNull("name")) return;
    String name = node.get("name").asText();
    // From 1.5 the reader checks the name against strings.LegacyName; 1.4's model validator did it here.
    if (!flags.version().atLeast(5) && !name.matches("^[a-z0-9-]+$")) {
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
    if (HealthCheckDefaults.mesosChecksBeyondCommand(out) > 1) {
      errors.add(Detail.of("/", "AppDefinition can contain at most one Mesos health check"));
    }
    return out;
  }
}
