package mdo.devcluster.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the runner needs from a canonical app JSON, read once per version.
 *
 * @param version the app version ({@code version} field)
 * @param configVersion {@code versionInfo.lastConfigChangeAt}: instances launched under another one are replaced
 * @param image the Docker image, or null
 * @param networkMode host, container/bridge or container
 * @param killGraceSeconds {@code taskKillGracePeriodSeconds}, or null for the dev cluster's default
 * @param constraints {@code [field, OPERATOR, value?]}, operators upper-cased as Marathon stores them
 * @param acceptedResourceRoles the roles whose resources the app may use ({@code *} = unreserved)
 * @param volumes {@code container.volumes}
 * @param forcePullImage {@code container.docker.forcePullImage}
 */
public record AppSpec(
    String id,
    String version,
    String configVersion,
    String cmd,
    List<String> args,
    String image,
    int instances,
    double cpus,
    double mem,
    double disk,
    int gpus,
    Map<String, String> env,
    Map<String, String> labels,
    String networkMode,
    List<PortSpec> ports,
    List<HealthCheckSpec> healthChecks,
    double backoffSeconds,
    double backoffFactor,
    double maxLaunchDelaySeconds,
    Double killGraceSeconds,
    List<List<String>> constraints,
    List<String> acceptedResourceRoles,
    boolean oldestFirst,
    double minimumHealthCapacity,
    double maximumOverCapacity,
    JsonNode dockerParameters,
    List<VolumeSpec> volumes,
    boolean forcePullImage) {

  /**
   * One port of the app, index-aligned with {@code PORT<n>}.
   *
   * @param hostPort 0 = allocate one, N = this fixed host port, null = no host port (container networking)
   * @param requested the number {@code PORT_<number>} is keyed by (container port, or definition port)
   */
  public record PortSpec(String name, Integer hostPort, int containerPort, int servicePort, String protocol,
                         int requested) {}

  /** A container volume; {@code hostPath} is null for persistent and external volumes. {@code mode} is RO or RW. */
  public record VolumeSpec(String containerPath, String hostPath, String mode) {}

  /**
   * A health check; {@code portIndex} or {@code port} (null for COMMAND).
   *
   * @param byMesos run by the agent (COMMAND, MESOS_*), which waits {@code delaySeconds} before the first check;
   *     Marathon runs HTTP, HTTPS and TCP itself and has no delay
   */
  public record HealthCheckSpec(String protocol, String path, Integer portIndex, Integer port, String command,
                                double graceSeconds, double intervalSeconds, double timeoutSeconds,
                                int maxConsecutiveFailures, double delaySeconds, boolean byMesos,
                                boolean ignoreHttp1xx, ObjectNode json) {}

  public boolean hasHealthChecks() {
    return !healthChecks.isEmpty();
  }

  /** True when some port must be exactly this number on the host. */
  public boolean hasFixedHostPorts() {
    return ports.stream().anyMatch(p -> p.hostPort() != null && p.hostPort() > 0);
  }

  public static AppSpec from(ObjectNode app) {
    String mode = app.path("networks").path(0).path("mode").asText("host");
    boolean host = mode.equals("host");
    boolean requirePorts = app.path("requirePorts").asBoolean(false);
    List<PortSpec> ports = new ArrayList<>();
    if (host) {
      for (JsonNode d : app.path("portDefinitions")) {
        int port = d.path("port").asInt(0);
        ports.add(new PortSpec(d.path("name").asText(null), requirePorts ? port : 0, 0, port,
            d.path("protocol").asText("tcp"), port));
      }
    } else {
      for (JsonNode m : app.path("container").path("portMappings")) {
        Integer hostPort = m.hasNonNull("hostPort") ? m.get("hostPort").asInt() : null;
        int containerPort = m.path("containerPort").asInt(0);
        ports.add(new PortSpec(m.path("name").asText(null), hostPort, containerPort,
            m.path("servicePort").asInt(0), m.path("protocol").asText("tcp"), containerPort));
      }
    }
    List<HealthCheckSpec> checks = new ArrayList<>();
    for (JsonNode h : app.path("healthChecks")) {
      checks.add(new HealthCheckSpec(h.path("protocol").asText("HTTP"), h.path("path").asText("/"),
          h.hasNonNull("portIndex") ? h.get("portIndex").asInt() : null,
          h.hasNonNull("port") ? h.get("port").asInt() : null,
          h.path("command").path("value").asText(null),
          h.path("gracePeriodSeconds").asDouble(), h.path("intervalSeconds").asDouble(),
          h.path("timeoutSeconds").asDouble(), h.path("maxConsecutiveFailures").asInt(),
          h.path("delaySeconds").asDouble(HealthCheckDefaults.DELAY_SECONDS),
          HealthCheckDefaults.runByMesos(h.path("protocol").asText("HTTP")),
          h.path("ignoreHttp1xx").asBoolean(false), (ObjectNode) h));
    }
    List<List<String>> constraints = new ArrayList<>();
    for (JsonNode c : app.path("constraints")) {
      List<String> parts = new ArrayList<>();
      c.forEach(p -> parts.add(p.asText()));
      if (parts.size() > 1) parts.set(1, parts.get(1).toUpperCase(Locale.ROOT));
      constraints.add(List.copyOf(parts));
    }
    List<String> roles = new ArrayList<>();
    app.path("acceptedResourceRoles").forEach(r -> roles.add(r.asText()));
    List<String> args = null;
    if (app.path("args").isArray()) {
      args = new ArrayList<>();
      for (JsonNode a : app.get("args")) args.add(a.asText());
    }
    JsonNode docker = app.path("container").path("docker");
    List<VolumeSpec> volumes = new ArrayList<>();
    for (JsonNode v : app.path("container").path("volumes")) {
      volumes.add(new VolumeSpec(v.path("containerPath").asText(),
          v.hasNonNull("hostPath") ? v.get("hostPath").asText() : null, v.path("mode").asText("RW")));
    }
    return new AppSpec(
        app.get("id").asText(),
        app.path("version").asText(),
        app.path("versionInfo").path("lastConfigChangeAt").asText(),
        app.hasNonNull("cmd") ? app.get("cmd").asText() : null,
        args,
        docker.hasNonNull("image") ? docker.get("image").asText() : null,
        app.path("instances").asInt(),
        app.path("cpus").asDouble(),
        app.path("mem").asDouble(),
        app.path("disk").asDouble(),
        app.path("gpus").asInt(),
        strings(app.path("env")),
        strings(app.path("labels")),
        mode,
        List.copyOf(ports),
        List.copyOf(checks),
        app.path("backoffSeconds").asDouble(1),
        app.path("backoffFactor").asDouble(1.15),
        app.path("maxLaunchDelaySeconds").asDouble(300),
        app.hasNonNull("taskKillGracePeriodSeconds") ? app.get("taskKillGracePeriodSeconds").asDouble() : null,
        List.copyOf(constraints),
        roles.isEmpty() ? List.of("*") : List.copyOf(roles),
        app.path("killSelection").asText().equals("OLDEST_FIRST"),
        app.path("upgradeStrategy").path("minimumHealthCapacity").asDouble(1),
        app.path("upgradeStrategy").path("maximumOverCapacity").asDouble(1),
        docker.path("parameters"),
        List.copyOf(volumes),
        docker.path("forcePullImage").asBoolean(false));
  }

  /** String values only: secret references ({@code {"secret": ...}}) have no resolver here and are skipped. */
  private static Map<String, String> strings(JsonNode object) {
    Map<String, String> out = new LinkedHashMap<>();
    object.fields().forEachRemaining(e -> {
      if (e.getValue().isTextual()) out.put(e.getKey(), e.getValue().asText());
    });
    return out;
  }
}
