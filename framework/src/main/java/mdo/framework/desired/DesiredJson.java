package mdo.framework.desired;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdo.cluster.ServiceDefinition;
import mdo.config.HealthSpec;
import mdo.config.ServiceSpec;
import mdo.config.UpgradeStrategy;
import mdo.config.VolumeSpec;
import mdo.registry.RegistryJson;

/**
 * The JSON of a {@link DesiredService} in etcd, written field by field so the stored form is stable and readable with
 * {@code etcdctl get}. Reading checks every field: a value that is not a desired state written by mdo is refused with a
 * message naming its key, never half-read.
 */
public final class DesiredJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private DesiredJson() {}

  public static byte[] write(DesiredService desired) {
    return RegistryJson.write(tree(desired));
  }

  /** For people ({@code --dry-run}): the same JSON, indented. */
  public static String pretty(DesiredService desired) {
    try {
      return RegistryJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(tree(desired));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static ObjectNode tree(DesiredService desired) {
    ObjectNode root = NODES.objectNode();
    root.put("service", desired.service());
    root.put("version", desired.version());
    root.put("configVersion", desired.configVersion());
    root.put("deploymentId", desired.deploymentId());
    desired.servicePorts().forEach(root.putArray("servicePorts")::add);
    root.set("definition", definition(desired.definition()));
    return root;
  }

  private static ObjectNode definition(ServiceDefinition d) {
    ObjectNode o = NODES.objectNode();
    o.put("service", d.service());
    o.put("id", d.id());
    o.put("image", d.image());
    o.put("cmd", d.cmd());
    if (d.args() == null) o.putNull("args");
    else d.args().forEach(o.putArray("args")::add);
    o.put("cpus", d.cpus());
    o.put("mem", d.mem());
    o.put("instances", d.instances());
    ObjectNode environment = o.putObject("environment");
    d.environment().forEach(environment::put);
    ObjectNode labels = o.putObject("labels");
    d.labels().forEach(labels::put);
    ArrayNode constraints = o.putArray("constraints");
    d.constraints().forEach(c -> c.forEach(constraints.addArray()::add));
    o.put("network", d.network().name());
    ArrayNode ports = o.putArray("ports");
    for (ServiceDefinition.Port p : d.ports()) {
      ports.addObject().put("name", p.name()).put("containerPort", p.containerPort()).put("hostPort", p.hostPort())
          .put("protocol", p.protocol());
    }
    o.put("requirePorts", d.requirePorts());
    ArrayNode volumes = o.putArray("volumes");
    for (VolumeSpec v : d.volumes()) {
      volumes.addObject().put("containerPath", v.containerPath()).put("hostPath", v.hostPath()).put("mode", v.mode());
    }
    if (d.health() == null) {
      o.putNull("health");
    } else {
      HealthSpec h = d.health();
      o.putObject("health").put("protocol", h.protocol().name()).put("port", h.port()).put("path", h.path())
          .put("command", h.command()).put("graceMillis", h.grace().toMillis())
          .put("intervalMillis", h.interval().toMillis()).put("timeoutMillis", h.timeout().toMillis())
          .put("maxFailures", h.maxFailures()).put("delayMillis", h.delay().toMillis());
    }
    o.put("marathonFormat", d.marathonFormat().name());
    if (d.upgradeStrategy() == null) {
      o.putNull("upgradeStrategy");
    } else {
      o.putObject("upgradeStrategy").put("minimumHealthCapacity", d.upgradeStrategy().minimumHealthCapacity())
          .put("maximumOverCapacity", d.upgradeStrategy().maximumOverCapacity());
    }
    return o;
  }

  /** @throws IllegalArgumentException naming {@code key} when the value is not a desired state */
  public static DesiredService read(byte[] json, String key) {
    try {
      JsonNode root = RegistryJson.MAPPER.readTree(json);
      if (root == null || !root.isObject()) throw new IllegalArgumentException("not a JSON object");
      ServiceDefinition definition = definition(object(root, "definition"));
      if (!definition.service().equals(text(root, "service"))) {
        throw new IllegalArgumentException("service '" + text(root, "service") + "' does not match its definition's '"
            + definition.service() + "'");
      }
      List<Integer> servicePorts = new ArrayList<>();
      for (JsonNode p : array(root, "servicePorts")) {
        if (!p.canConvertToInt()) throw new IllegalArgumentException("'servicePorts' must hold port numbers");
        servicePorts.add(p.intValue());
      }
      return new DesiredService(definition, text(root, "version"), text(root, "configVersion"),
          text(root, "deploymentId"), servicePorts);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("malformed desired state at " + key + ": " + e.getMessage(), e);
    }
  }

  private static ServiceDefinition definition(JsonNode o) {
    List<String> args = null;
    if (o.hasNonNull("args")) {
      args = new ArrayList<>();
      for (JsonNode a : array(o, "args")) args.add(a.asText());
    }
    List<List<String>> constraints = new ArrayList<>();
    for (JsonNode c : array(o, "constraints")) {
      List<String> parts = new ArrayList<>();
      c.forEach(p -> parts.add(p.asText()));
      constraints.add(parts);
    }
    List<ServiceDefinition.Port> ports = new ArrayList<>();
    for (JsonNode p : array(o, "ports")) {
      ports.add(new ServiceDefinition.Port(text(p, "name"), integer(p, "containerPort"), integer(p, "hostPort"),
          text(p, "protocol")));
    }
    List<VolumeSpec> volumes = new ArrayList<>();
    for (JsonNode v : array(o, "volumes")) {
      volumes.add(new VolumeSpec(text(v, "containerPath"), text(v, "hostPath"), text(v, "mode")));
    }
    HealthSpec health = null;
    if (o.hasNonNull("health")) {
      JsonNode h = object(o, "health");
      health = new HealthSpec(HealthSpec.Protocol.valueOf(text(h, "protocol")), optionalText(h, "port"),
          optionalText(h, "path"), optionalText(h, "command"), Duration.ofMillis(number(h, "graceMillis").longValue()),
          Duration.ofMillis(number(h, "intervalMillis").longValue()),
          Duration.ofMillis(number(h, "timeoutMillis").longValue()), integer(h, "maxFailures"),
          Duration.ofMillis(number(h, "delayMillis").longValue()));
    }
    UpgradeStrategy strategy = null;
    if (o.hasNonNull("upgradeStrategy")) {
      JsonNode u = object(o, "upgradeStrategy");
      strategy = new UpgradeStrategy(number(u, "minimumHealthCapacity").doubleValue(),
          number(u, "maximumOverCapacity").doubleValue());
    }
    int instances = integer(o, "instances");
    if (instances < 0) throw new IllegalArgumentException("instances must be 0 or more, got " + instances);
    return new ServiceDefinition(text(o, "service"), text(o, "id"), optionalText(o, "image"), optionalText(o, "cmd"),
        args, number(o, "cpus").doubleValue(), number(o, "mem").doubleValue(), instances, textMap(o, "environment"),
        textMap(o, "labels"), constraints, ServiceSpec.Network.valueOf(text(o, "network")), ports,
        o.path("requirePorts").asBoolean(), volumes, health, ServiceSpec.MarathonFormat.valueOf(text(o, "marathonFormat")),
        strategy);
  }

  private static JsonNode object(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || !v.isObject()) throw new IllegalArgumentException("'" + field + "' must be an object");
    return v;
  }

  private static JsonNode array(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || !v.isArray()) throw new IllegalArgumentException("'" + field + "' must be a list");
    return v;
  }

  private static String text(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || !v.isTextual()) throw new IllegalArgumentException("'" + field + "' must be text");
    return v.asText();
  }

  private static String optionalText(JsonNode o, String field) {
    return o.hasNonNull(field) ? text(o, field) : null;
  }

  private static Number number(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || !v.isNumber()) throw new IllegalArgumentException("'" + field + "' must be a number");
    return v.numberValue();
  }

  private static int integer(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new IllegalArgumentException("'" + field + "' must be a whole number");
    }
    return v.intValue();
  }

  private static Map<String, String> textMap(JsonNode o, String field) {
    Map<String, String> out = new LinkedHashMap<>();
    object(o, field).fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }
}
