package mdo.marathon;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of a Marathon app definition mdo reads, from either networking format: 1.5+ ({@code networks} +
 * {@code container.portMappings}) or 1.4 ({@code container.docker.network} + {@code container.docker.portMappings}),
 * and {@code portDefinitions} for host networking.
 */
public record MarathonApp(
    String id,
    String version,
    int instances,
    Map<String, String> labels,
    List<AppPort> ports,
    boolean hostNetworking,
    boolean hasHealthChecks,
    int tasksRunning,
    int tasksHealthy,
    int tasksStaged,
    int tasksUnhealthy,
    List<String> deploymentIds,
    JsonNode json) {

  public static MarathonApp from(JsonNode app) {
    Map<String, String> labels = new LinkedHashMap<>();
    app.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
    List<String> deployments = new ArrayList<>();
    app.path("deployments").forEach(d -> deployments.add(d.path("id").asText()));
    boolean host = hostNetworking(app);
    return new MarathonApp(
        app.path("id").asText(),
        app.path("version").asText(null),
        app.path("instances").asInt(1),
        labels,
        ports(app, host),
        host,
        app.path("healthChecks").size() > 0,
        app.path("tasksRunning").asInt(0),
        app.path("tasksHealthy").asInt(0),
        app.path("tasksStaged").asInt(0),
        app.path("tasksUnhealthy").asInt(0),
        deployments,
        app);
  }

  private static boolean hostNetworking(JsonNode app) {
    JsonNode networks = app.path("networks");
    if (networks.isArray() && networks.size() > 0) return "host".equals(networks.get(0).path("mode").asText());
    String legacy = app.path("container").path("docker").path("network").asText("");
    if (!legacy.isEmpty()) return "HOST".equals(legacy);
    // No container port mappings at all means host networking (Marathon's default network mode).
    return !app.path("container").path("portMappings").isArray()
        && !app.path("container").path("docker").path("portMappings").isArray();
  }

  private static List<AppPort> ports(JsonNode app, boolean host) {
    List<AppPort> ports = new ArrayList<>();
    JsonNode mappings = app.path("container").path("portMappings");
    if (!mappings.isArray()) mappings = app.path("container").path("docker").path("portMappings");
    if (!host && mappings.isArray()) {
      for (JsonNode m : mappings) {
        ports.add(new AppPort(name(m, ports.size()), m.path("containerPort").asInt(0),
            m.has("hostPort") ? m.path("hostPort").asInt(0) : -1, m.path("protocol").asText("tcp")));
      }
      return ports;
    }
    for (JsonNode d : app.path("portDefinitions")) {
      ports.add(new AppPort(name(d, ports.size()), 0, d.path("port").asInt(0), d.path("protocol").asText("tcp")));
    }
    return ports;
  }

  private static String name(JsonNode port, int index) {
    String name = port.path("name").asText("");
    return name.isEmpty() ? "port" + index : name;
  }
}
