package mdo.devcluster.apps;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import mdo.devcluster.ApiException.Detail;
import mdo.devcluster.MarathonVersion;

/**
 * What Marathon's readers check before any validation rule runs. From 1.5 on the app JSON is read by Play readers
 * generated from the RAML types ({@code docs/docs/rest-api/public/api/v2/types/*.raml}, {@code type-generator/}):
 * types, enums, patterns, {@code minimum}/{@code maximum}/{@code minLength} and required fields all fail there, with
 * Play's keys ({@code error.expected.jsnumber}, {@code error.min}, {@code error.max}, {@code error.minLength},
 * {@code error.pattern}, {@code error.unknown.enum.literal}, {@code error.path.missing}), and the answer is
 * {@code "Invalid JSON"}. Marathon 1.4 read JSON without the RAML bounds; its {@code AppDefinition} validator then
 * checked a few of them with Accord's wording ({@code got -1, expected 0 or more}), which {@link Result#ruleErrors()}
 * carries. A JSON {@code null} counts as absent, as Play reads it into {@code None}.
 */
final class RamlReads {
  enum Kind { STRING, NUMBER, INT, BOOLEAN, ARRAY, OBJECT }

  /** Inclusive bounds; either may be null. */
  record Bound(Double min, Double max) {}

  /**
   * One field's declaration.
   *
   * @param raml the RAML bounds, enforced by the reader from 1.{@code ramlSince} on
   * @param accord the bounds the model validator checked where the reader did not (before 1.{@code ramlSince})
   */
  record Field(Kind kind, Bound raml, int ramlSince, Bound accord, Integer minLength, Pattern pattern,
               Set<String> values, boolean required) {
    Field min(double m) {
      return new Field(kind, new Bound(m, raml == null ? null : raml.max()), ramlSince, accord, minLength, pattern,
          values, required);
    }

    Field max(double m) {
      return new Field(kind, new Bound(raml == null ? null : raml.min(), m), ramlSince, accord, minLength, pattern,
          values, required);
    }

    Field ramlSince(int minor) {
      return new Field(kind, raml, minor, accord, minLength, pattern, values, required);
    }

    Field accord(Double min, Double max) {
      return new Field(kind, raml, ramlSince, new Bound(min, max), minLength, pattern, values, required);
    }

    Field minLength(int length) {
      return new Field(kind, raml, ramlSince, accord, length, pattern, values, required);
    }

    Field pattern(String regex) {
      return new Field(kind, raml, ramlSince, accord, minLength, Pattern.compile(regex), values, required);
    }

    Field oneOf(String... allowed) {
      return new Field(kind, raml, ramlSince, accord, minLength, pattern, Set.of(allowed), required);
    }

    Field mandatory() {
      return new Field(kind, raml, ramlSince, accord, minLength, pattern, values, true);
    }
  }

  /**
   * @param readErrors what the reader refuses: 422 "Invalid JSON" on 1.5+, 400 on 1.4
   * @param ruleErrors bounds 1.4's model validator refused: 422 "Object is not valid"
   */
  record Result(List<Detail> readErrors, List<Detail> ruleErrors) {}

  /** {@code strings.PathId} of {@code stringTypes.raml}. */
  static final String PATH_ID =
      "^(\\/?((\\.\\.)|(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9]))?($|\\/))+$";
  /** {@code strings.LegacyName}: port names. */
  static final String LEGACY_NAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
  private static final String[] NETWORK_PROTOCOLS = {"tcp", "udp", "udp,tcp"};

  private static Field f(Kind kind) {
    return new Field(kind, null, 5, null, null, null, null, false);
  }

  /** {@code numbers.AnyPort}. */
  private static Field anyPort() {
    return f(Kind.INT).min(0).max(65535);
  }

  private static final Map<String, Field> APP = fields(
      "id", f(Kind.STRING).pattern(PATH_ID).minLength(1),
      "cmd", f(Kind.STRING).minLength(1),
      "user", f(Kind.STRING),
      "executor", f(Kind.STRING),
      "role", f(Kind.STRING).minLength(1),
      "version", f(Kind.STRING),
      "killSelection", f(Kind.STRING).oneOf("YOUNGEST_FIRST", "OLDEST_FIRST"),
      // cpus has a RAML minimum only from 1.9; before, the model validator wanted >= 0.
      "cpus", f(Kind.NUMBER).min(0.001).ramlSince(9).accord(0.0, null),
      "mem", f(Kind.NUMBER).min(0).accord(0.0, null),
      "disk", f(Kind.NUMBER).min(0).accord(0.0, null),
      "gpus", f(Kind.INT).min(0).accord(0.0, null),
      "instances", f(Kind.INT).min(0).accord(0.0, null),
      "backoffSeconds", f(Kind.INT).min(0),
      "backoffFactor", f(Kind.NUMBER).min(1.0),
      "maxLaunchDelaySeconds", f(Kind.INT).min(0),
      "taskKillGracePeriodSeconds", f(Kind.INT).min(0),
      "requirePorts", f(Kind.BOOLEAN),
      "tty", f(Kind.BOOLEAN),
      "args", f(Kind.ARRAY),
      "constraints", f(Kind.ARRAY),
      "dependencies", f(Kind.ARRAY),
      "healthChecks", f(Kind.ARRAY),
      "readinessChecks", f(Kind.ARRAY),
      "portDefinitions", f(Kind.ARRAY),
      "networks", f(Kind.ARRAY),
      "fetch", f(Kind.ARRAY),
      "uris", f(Kind.ARRAY),
      "ports", f(Kind.ARRAY),
      "acceptedResourceRoles", f(Kind.ARRAY),
      "storeUrls", f(Kind.ARRAY),
      "env", f(Kind.OBJECT),
      "labels", f(Kind.OBJECT),
      "container", f(Kind.OBJECT),
      "upgradeStrategy", f(Kind.OBJECT),
      "secrets", f(Kind.OBJECT),
      "ipAddress", f(Kind.OBJECT));
  private static final Map<String, Field> CONTAINER = fields(
      "type", f(Kind.STRING).oneOf("MESOS", "DOCKER"),
      "docker", f(Kind.OBJECT),
      "portMappings", f(Kind.ARRAY),
      "volumes", f(Kind.ARRAY));
  private static final Map<String, Field> DOCKER = fields(
      "image", f(Kind.STRING),
      "forcePullImage", f(Kind.BOOLEAN),
      "privileged", f(Kind.BOOLEAN),
      "parameters", f(Kind.ARRAY),
      "network", f(Kind.STRING).oneOf("BRIDGE", "HOST", "NONE", "USER"),
      "portMappings", f(Kind.ARRAY));
  /** {@code AppHealthCheck} of {@code healthCheck.raml}: interval 0 is fine and timeoutSeconds has no minimum. */
  private static final Map<String, Field> HEALTH_CHECK = fields(
      "protocol", f(Kind.STRING).oneOf("HTTP", "HTTPS", "TCP", "COMMAND", "MESOS_TCP", "MESOS_HTTP", "MESOS_HTTPS"),
      "path", f(Kind.STRING),
      "portIndex", anyPort(),
      "port", anyPort(),
      "gracePeriodSeconds", f(Kind.INT).min(0),
      "intervalSeconds", f(Kind.INT).min(0),
      "timeoutSeconds", f(Kind.INT),
      "maxConsecutiveFailures", f(Kind.INT).min(0),
      "delaySeconds", f(Kind.INT).min(0),
      "command", f(Kind.OBJECT),
      "ignoreHttp1xx", f(Kind.BOOLEAN),
      "ipProtocol", f(Kind.STRING).oneOf("IPv4", "IPv6"));
  private static final Map<String, Field> PORT_DEFINITION = fields(
      "port", anyPort(),
      "protocol", f(Kind.STRING).oneOf(NETWORK_PROTOCOLS),
      "name", f(Kind.STRING).pattern(LEGACY_NAME).minLength(1),
      "labels", f(Kind.OBJECT));
  private static final Map<String, Field> PORT_MAPPING = fields(
      "containerPort", anyPort(),
      "hostPort", anyPort(),
      "servicePort", anyPort(),
      "protocol", f(Kind.STRING).oneOf(NETWORK_PROTOCOLS),
      "name", f(Kind.STRING).pattern(LEGACY_NAME).minLength(1),
      "labels", f(Kind.OBJECT),
      "networkNames", f(Kind.ARRAY));
  private static final Map<String, Field> NETWORK = fields(
      "mode", f(Kind.STRING).oneOf("container", "container/bridge", "host"),
      "name", f(Kind.STRING),
      "labels", f(Kind.OBJECT));
  /**
   * {@code AppHostVolume} of {@code volumes.raml}. {@code AppVolume} is a union read as "persistent, else external,
   * else secret, else host", and a failed union reports its last alternative's errors, so a volume that is none of
   * the other kinds is reported as a host volume.
   */
  private static final Map<String, Field> HOST_VOLUME = fields(
      "containerPath", f(Kind.STRING).minLength(1).mandatory(),
      "hostPath", f(Kind.STRING).minLength(1).mandatory(),
      "mode", f(Kind.STRING).oneOf("RO", "RW").mandatory());
  /** Both fields are required and have no default in {@code app.raml}'s {@code UpgradeStrategy}. */
  private static final Map<String, Field> UPGRADE = fields(
      "minimumHealthCapacity", f(Kind.NUMBER).min(0).max(1).accord(0.0, 1.0).mandatory(),
      "maximumOverCapacity", f(Kind.NUMBER).min(0).max(1).accord(0.0, 1.0).mandatory());

  private final MarathonVersion version;
  private final List<Detail> readErrors = new ArrayList<>();
  private final List<Detail> ruleErrors = new ArrayList<>();

  private RamlReads(MarathonVersion version) {
    this.version = version;
  }

  static Result check(JsonNode app, MarathonVersion version) {
    RamlReads reads = new RamlReads(version);
    reads.app(app);
    return new Result(List.copyOf(reads.readErrors), List.copyOf(reads.ruleErrors));
  }

  private void app(JsonNode app) {
    object(app, "", APP);
    JsonNode container = app.get("container");
    if (container != null && container.isObject()) {
      object(container, "/container", CONTAINER);
      JsonNode docker = container.get("docker");
      if (docker != null && docker.isObject()) {
        object(docker, "/container/docker", DOCKER);
        elements(docker.get("portMappings"), "/container/docker/portMappings", PORT_MAPPING);
      }
      elements(container.get("portMappings"), "/container/portMappings", PORT_MAPPING);
      hostVolumes(container.get("volumes"));
    }
    elements(app.get("healthChecks"), "/healthChecks", HEALTH_CHECK);
    elements(app.get("portDefinitions"), "/portDefinitions", PORT_DEFINITION);
    elements(app.get("networks"), "/networks", NETWORK);
    JsonNode upgrade = app.get("upgradeStrategy");
    if (upgrade != null && upgrade.isObject()) object(upgrade, "/upgradeStrategy", UPGRADE);
    items(app.get("args"), "/args", Kind.STRING);
    items(app.get("ports"), "/ports", Kind.INT);
    constraints(app.get("constraints"));
  }

  private void hostVolumes(JsonNode volumes) {
    if (volumes == null || !volumes.isArray()) return;
    for (int i = 0; i < volumes.size(); i++) {
      JsonNode v = volumes.get(i);
      String at = "/container/volumes(" + i + ")";
      if (!v.isObject()) {
        readErrors.add(Detail.of(at, "error.expected.jsobject"));
      } else if (!v.has("persistent") && !v.has("external") && !v.has("secret")) {
        object(v, at, HOST_VOLUME);
      }
    }
  }

  /** {@code constraints.AppConstraint} is {@code string[]}: each constraint an array of strings. */
  private void constraints(JsonNode constraints) {
    if (constraints == null || !constraints.isArray()) return;
    for (int i = 0; i < constraints.size(); i++) {
      JsonNode c = constraints.get(i);
      if (!c.isArray()) {
        readErrors.add(Detail.of("/constraints(" + i + ")", "error.expected.jsarray"));
      } else {
        items(c, "/constraints(" + i + ")", Kind.STRING);
      }
    }
  }

  private void elements(JsonNode array, String path, Map<String, Field> fields) {
    if (array == null || !array.isArray()) return;
    for (int i = 0; i < array.size(); i++) {
      String at = path + "(" + i + ")";
      JsonNode element = array.get(i);
      if (!element.isObject()) {
        readErrors.add(Detail.of(at, "error.expected.jsobject"));
      } else {
        object(element, at, fields);
      }
    }
  }

  private void items(JsonNode array, String path, Kind kind) {
    if (array == null || !array.isArray()) return;
    for (int i = 0; i < array.size(); i++) {
      String error = mismatch(array.get(i), kind);
      if (error != null) readErrors.add(Detail.of(path + "(" + i + ")", error));
    }
  }

  private void object(JsonNode object, String path, Map<String, Field> fields) {
    fields.forEach((name, field) -> {
      JsonNode value = object.get(name);
      String at = path + "/" + name;
      if (value == null || value.isNull()) {
        if (field.required()) readErrors.add(Detail.of(at, "error.path.missing"));
        return;
      }
      String error = mismatch(value, field.kind());
      if (error != null) {
        readErrors.add(Detail.of(at, error));
        return;
      }
      constraints(value, field, at);
    });
  }

  private void constraints(JsonNode value, Field field, String at) {
    if (field.values() != null && !field.values().contains(value.asText())) {
      readErrors.add(Detail.of(at, "error.unknown.enum.literal"));
    }
    boolean raml = version.atLeast(field.ramlSince());
    if (raml && field.minLength() != null && value.asText().length() < field.minLength()) {
      readErrors.add(Detail.of(at, "error.minLength"));
    } else if (raml && field.pattern() != null && !field.pattern().matcher(value.asText()).find()) {
      readErrors.add(Detail.of(at, "error.pattern"));
    }
    if (field.raml() != null && raml) {
      double d = value.asDouble();
      if (field.raml().min() != null && d < field.raml().min()) readErrors.add(Detail.of(at, "error.min"));
      if (field.raml().max() != null && d > field.raml().max()) readErrors.add(Detail.of(at, "error.max"));
    } else if (field.accord() != null) {
      accord(value, field, at);
    }
  }

  /** Accord's wording: {@code got -1, expected 0 or more}, {@code got 1.2, expected between 0.0 and 1.0}. */
  private void accord(JsonNode value, Field field, String at) {
    boolean integral = field.kind() == Kind.INT;
    String got = integral ? Long.toString(value.asLong()) : Double.toString(value.asDouble());
    Double min = field.accord().min();
    Double max = field.accord().max();
    double d = value.asDouble();
    boolean below = min != null && d < min;
    boolean above = max != null && d > max;
    if (!below && !above) return;
    String expected;
    if (min != null && max != null) {
      expected = "between " + min + " and " + max;
    } else if (min != null) {
      expected = (integral ? Long.toString(min.longValue()) : min.toString()) + " or more";
    } else {
      expected = (integral ? Long.toString(max.longValue()) : max.toString()) + " or less";
    }
    ruleErrors.add(Detail.of(at, "got " + got + ", expected " + expected));
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
    };
  }

  private static Map<String, Field> fields(Object... nameFieldPairs) {
    Map<String, Field> out = new LinkedHashMap<>();
    for (int i = 0; i < nameFieldPairs.length; i += 2) out.put((String) nameFieldPairs[i], (Field) nameFieldPairs[i + 1]);
    return out;
  }
}
