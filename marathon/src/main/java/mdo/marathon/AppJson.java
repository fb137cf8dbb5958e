package mdo.marathon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdo.cluster.ServiceDefinition;
import mdo.cluster.ServiceDefinition.Port;
import mdo.config.HealthSpec;
import mdo.config.ServiceSpec.MarathonFormat;
import mdo.config.ServiceSpec.Network;
import mdo.config.VolumeSpec;

/**
 * A {@link ServiceDefinition} as Marathon app JSON (API.md §3), and back. The shape follows the reference payloads
 * {@code apps_post_request.json} (1.5+: {@code networks} + {@code container.portMappings}) and
 * {@code apps_post_request.legacy-1.4.json} (1.4: {@code container.docker.network} + {@code docker.portMappings}).
 *
 * <p>Every field mdo manages is always written, empty lists included ({@code portMappings: []} keeps Marathon from
 * adding its default port), so a PUT of this definition replaces the running one completely. Reading back ignores what
 * Marathon adds (service ports, defaults such as {@code forcePullImage}, version data) and reads both networking
 * formats, so an unchanged service reads back as an unchanged definition.
 *
 * <p>{@code upgradeStrategy} is what {@link UpgradeStrategies} chooses. Health checks carry {@code delaySeconds}, since
 * Marathon's default of 15 s would hold every deployment back that long.
 *
 * <p>Health checks use Mesos-run checks ({@code MESOS_HTTP}, {@code MESOS_HTTPS}, {@code MESOS_TCP}, {@code COMMAND})
 * rather than Marathon-run {@code HTTP}/{@code TCP}: those are deprecated since Marathon 1.4 and probe from the
 * Marathon host, which must then reach every agent's host ports; the agent probes its own task instead, and a task
 * gets at most one such check, which is all config.yaml can express (API.md §3.4).
 */
public final class AppJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private AppJson() {}

  /** A new app (POST), or what {@code --dry-run} prints. */
  public static ObjectNode toApp(ServiceDefinition service) {
    ObjectNode app = definitionOf(service);
    UpgradeStrategies.forCreate(service).ifPresent(s -> app.set("upgradeStrategy", UpgradeStrategies.json(s)));
    return app;
  }

  /** The whole app replacing {@code running} ({@code PUT ?partialUpdate=false}). */
  static ObjectNode replacing(ServiceDefinition desired, JsonNode running) {
    ObjectNode app = definitionOf(desired);
    ServiceDefinition current = definition(desired.service(), running);
    app.set("upgradeStrategy", UpgradeStrategies.json(UpgradeStrategies.forReplace(desired, current, running)));
    return app;
  }

  private static ObjectNode definitionOf(ServiceDefinition service) {
    ObjectNode app = NODES.objectNode();
    app.put("id", service.id());
    if (service.cmd() != null) app.put("cmd", service.cmd());
    if (service.args() != null) service.args().forEach(app.putArray("args")::add);
    app.put("cpus", service.cpus());
    app.put("mem", service.mem());
    app.put("instances", service.instances());
    ObjectNode env = app.putObject("env");
    service.environment().forEach(env::put);
    ObjectNode labels = app.putObject("labels");
    service.labels().forEach(labels::put);
    ArrayNode constraints = app.putArray("constraints");
    for (List<String> c : service.constraints()) c.forEach(constraints.addArray()::add);

    boolean host = service.hostNetworking();
    boolean legacy = service.marathonFormat() == MarathonFormat.V1_4;
    if (!legacy) app.putArray("networks").addObject().put("mode", host ? "host" : "container/bridge");
    if (!service.commandOnly()) app.set("container", container(service, host, legacy));
    if (host) {
      ArrayNode definitions = app.putArray("portDefinitions");
      for (Port p : service.ports()) {
        definitions.addObject().put("port", p.hostPort()).put("protocol", p.protocol()).put("name", p.name());
      }
      app.put("requirePorts", service.requirePorts());
    }
    ArrayNode checks = app.putArray("healthChecks");
    if (service.health() != null) checks.add(healthCheck(service, service.health()));
    return app;
  }

  /** Pretty JSON for {@code --dry-run}. */
  public static String pretty(ObjectNode app) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(app);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * What Marathon runs, read back as a definition of service {@code service}: the fields mdo sets, with Marathon's
   * defaults where it leaves them out. With host networking and no {@code requirePorts}, the ports Marathon assigned are
   * not fixed ports.
   */
  public static ServiceDefinition definition(String service, JsonNode app) {
    MarathonApp parsed = MarathonApp.from(app);
    boolean host = parsed.hostNetworking();
    boolean requirePorts = host && app.path("requirePorts").asBoolean(false);
    List<Port> ports = new ArrayList<>();
    for (AppPort p : parsed.ports()) {
      int hostPort = host && !requirePorts ? 0 : Math.max(p.hostPort(), 0);
      ports.add(new Port(p.name(), p.containerPort(), hostPort, p.protocol()));
    }
    List<String> args = new ArrayList<>();
    app.path("args").forEach(a -> args.add(a.asText()));
    List<List<String>> constraints = new ArrayList<>();
    for (JsonNode c : app.path("constraints")) {
      List<String> parts = new ArrayList<>();
      c.forEach(p -> parts.add(p.asText()));
      constraints.add(parts);
    }
    List<VolumeSpec> volumes = new ArrayList<>();
    for (JsonNode v : app.path("container").path("volumes")) {
      volumes.add(new VolumeSpec(v.path("containerPath").asText(), v.path("hostPath").asText(), v.path("mode").asText("RW")));
    }
    JsonNode check = app.path("healthChecks").path(0);
    return new ServiceDefinition(service, parsed.id(), text(app.path("container").path("docker").get("image")),
        text(app.get("cmd")), args, app.path("cpus").asDouble(1), app.path("mem").asDouble(128),
        app.path("instances").asInt(1), strings(app.path("env")), strings(app.path("labels")), constraints,
        host ? Network.HOST : Network.BRIDGE, ports, requirePorts, volumes,
        check.isObject() ? health(check, parsed.ports()) : null,
        app.path("networks").isArray() ? MarathonFormat.V1_5 : MarathonFormat.V1_4, UpgradeStrategies.of(app));
  }

  /** Marathon's defaults for what a check leaves out (API.md §3.4). */
  private static HealthSpec health(JsonNode h, List<AppPort> ports) {
    String protocol = h.path("protocol").asText("HTTP");
    HealthSpec.Protocol p = switch (protocol) {
      case "COMMAND" -> HealthSpec.Protocol.COMMAND;
      case "MESOS_TCP", "TCP" -> HealthSpec.Protocol.TCP;
      case "MESOS_HTTPS", "HTTPS" -> HealthSpec.Protocol.HTTPS;
      default -> HealthSpec.Protocol.HTTP;
    };
    int index = h.path("portIndex").asInt(0);
    String port = p == HealthSpec.Protocol.COMMAND || index >= ports.size() ? null : ports.get(index).name();
    return new HealthSpec(p, port, p == HealthSpec.Protocol.HTTP || p == HealthSpec.Protocol.HTTPS
        ? h.path("path").asText("/") : null, h.path("command").path("value").asText(null),
        Duration.ofSeconds(h.path("gracePeriodSeconds").asLong(300)),
        Duration.ofSeconds(h.path("intervalSeconds").asLong(60)),
        Duration.ofSeconds(h.path("timeoutSeconds").asLong(20)), h.path("maxConsecutiveFailures").asInt(3),
        Duration.ofSeconds(h.path("delaySeconds").asLong(15)));
  }

  private static ObjectNode container(ServiceDefinition service, boolean host, boolean legacy) {
    ObjectNode container = NODES.objectNode().put("type", "DOCKER");
    ObjectNode docker = container.putObject("docker").put("image", service.image());
    if (legacy) docker.put("network", host ? "HOST" : "BRIDGE");
    if (!host) {
      ArrayNode mappings = (legacy ? docker : container).putArray("portMappings");
      for (Port p : service.ports()) {
        mappings.addObject().put("containerPort", p.containerPort()).put("hostPort", p.hostPort())
            .put("protocol", p.protocol()).put("name", p.name());
      }
    }
    ArrayNode volumes = container.putArray("volumes");
    for (VolumeSpec v : service.volumes()) {
      volumes.addObject().put("containerPath", v.containerPath()).put("hostPath", v.hostPath()).put("mode", v.mode());
    }
    return container;
  }

  private static ObjectNode healthCheck(ServiceDefinition service, HealthSpec h) {
    ObjectNode check = NODES.objectNode();
    check.put("protocol", switch (h.protocol()) {
      case HTTP -> "MESOS_HTTP";
      case HTTPS -> "MESOS_HTTPS";
      case TCP -> "MESOS_TCP";
      case COMMAND -> "COMMAND";
    });
    if (h.protocol() == HealthSpec.Protocol.COMMAND) {
      check.putObject("command").put("value", h.command());
    } else {
      check.put("portIndex", service.portIndex(h.port()));
      if (h.path() != null) check.put("path", h.path());
    }
    check.put("gracePeriodSeconds", Math.toIntExact(h.grace().toSeconds()));
    check.put("intervalSeconds", Math.toIntExact(h.interval().toSeconds()));
    check.put("timeoutSeconds", Math.toIntExact(h.timeout().toSeconds()));
    check.put("maxConsecutiveFailures", h.maxFailures());
    check.put("delaySeconds", Math.toIntExact(h.delay().toSeconds()));
    return check;
  }

  private static String text(JsonNode node) {
    return node == null || node.isNull() || node.asText().isEmpty() ? null : node.asText();
  }

  private static Map<String, String> strings(JsonNode map) {
    Map<String, String> out = new LinkedHashMap<>();
    map.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }
}
