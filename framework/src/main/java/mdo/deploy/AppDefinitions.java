package mdo.deploy;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.List;
import mdo.config.HealthSpec;
import mdo.config.MdoConfig;
import mdo.config.PortSpec;
import mdo.config.ServiceSpec;
import mdo.config.ServiceSpec.MarathonFormat;
import mdo.config.ServiceSpec.Network;
import mdo.config.VolumeSpec;

/**
 * Maps a {@link ServiceSpec} to the Marathon app JSON mdo sends (API.md §3). The shape follows the reference payloads
 * {@code apps_post_request.json} (1.5+: {@code networks} + {@code container.portMappings}) and
 * {@code apps_post_request.legacy-1.4.json} (1.4: {@code container.docker.network} + {@code docker.portMappings}).
 *
 * <p>Every field mdo manages is always written, empty lists included ({@code portMappings: []} keeps Marathon from
 * adding its default port), so a PUT of this definition replaces the running one completely.
 *
 * <p>Health checks use Mesos-run checks ({@code MESOS_HTTP}, {@code MESOS_HTTPS}, {@code MESOS_TCP}, {@code COMMAND})
 * rather than Marathon-run {@code HTTP}/{@code TCP}: those are deprecated since Marathon 1.4 and probe from the
 * Marathon host, which must then reach every agent's host ports; the agent probes its own task instead, and a task
 * gets at most one such check, which is all config.yaml can express (API.md §3.4).
 */
public final class AppDefinitions {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private AppDefinitions() {}

  public static String appId(MdoConfig config, ServiceSpec service) {
    return Labels.appId(config.environment(), service.name());
  }

  public static ObjectNode toApp(MdoConfig config, ServiceSpec service) {
    ObjectNode app = NODES.objectNode();
    app.put("id", appId(config, service));
    if (service.cmd() != null) app.put("cmd", service.cmd());
    if (service.args() != null) service.args().forEach(app.putArray("args")::add);
    app.put("cpus", service.cpus());
    app.put("mem", service.mem());
    app.put("instances", service.instances());
    app.set("env", env(config, service));
    ObjectNode labels = app.putObject("labels");
    service.labels().forEach(labels::put);
    labels.put(Labels.SERVICE, service.name());
    labels.put(Labels.ENVIRONMENT, config.environment());
    app.set("constraints", constraints(service));

    boolean host = service.network() == Network.HOST;
    boolean legacy = service.marathonFormat() == MarathonFormat.V1_4;
    if (!legacy) app.putArray("networks").addObject().put("mode", host ? "host" : "container/bridge");
    if (!service.commandOnly()) app.set("container", container(service, host, legacy));
    if (host) {
      ArrayNode definitions = app.putArray("portDefinitions");
      for (PortSpec p : service.ports()) {
        definitions.addObject().put("port", p.hard() ? p.containerPort() : 0).put("protocol", p.protocol())
            .put("name", p.name());
      }
      app.put("requirePorts", service.hasHardPorts());
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

  /** What every task gets to find etcd, its environment and the subscriber; the service's own env comes last. */
  private static ObjectNode env(MdoConfig config, ServiceSpec service) {
    ObjectNode env = NODES.objectNode();
    List<URI> endpoints = config.etcd().endpoints();
    env.put("ETCD_ENDPOINTS", config.etcd().endpointList());
    URI first = endpoints.get(0);
    env.put("ETCD_HOST_ADDRESS", first.getHost() + ":" + (first.getPort() > 0 ? first.getPort() : 2379));
    env.put("MDO_ENVIRONMENT", config.environment());
    env.put("SERVICE_NAME", service.name());
    env.put("SUBSCRIBER_URL", config.subscriber().url().toString());
    service.environment().forEach(env::put);
    return env;
  }

  /** The user's constraints, plus {@code hostname UNIQUE} when a fixed host port allows one instance per host. */
  private static ArrayNode constraints(ServiceSpec service) {
    ArrayNode out = NODES.arrayNode();
    boolean unique = false;
    for (List<String> c : service.constraints()) {
      ArrayNode a = out.addArray();
      c.forEach(a::add);
      unique |= c.size() == 2 && c.get(0).replace("@", "").equals("hostname") && c.get(1).equals("UNIQUE");
    }
    if (service.hasHardPorts() && !unique) out.addArray().add("hostname").add("UNIQUE");
    return out;
  }

  private static ObjectNode container(ServiceSpec service, boolean host, boolean legacy) {
    ObjectNode container = NODES.objectNode().put("type", "DOCKER");
    ObjectNode docker = container.putObject("docker").put("image", service.image());
    if (legacy) docker.put("network", host ? "HOST" : "BRIDGE");
    if (!host) {
      ArrayNode mappings = (legacy ? docker : container).putArray("portMappings");
      for (PortSpec p : service.ports()) {
        mappings.addObject().put("containerPort", p.containerPort()).put("hostPort", p.hard() ? p.containerPort() : 0)
            .put("protocol", p.protocol()).put("name", p.name());
      }
    }
    ArrayNode volumes = container.putArray("volumes");
    for (VolumeSpec v : service.volumes()) {
      volumes.addObject().put("containerPath", v.containerPath()).put("hostPath", v.hostPath()).put("mode", v.mode());
    }
    return container;
  }

  private static ObjectNode healthCheck(ServiceSpec service, HealthSpec h) {
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
    return check;
  }
}
