package mdo.devcluster.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Service ports, as Marathon assigns them from {@code local_port_min..local_port_max} (10000–20000): every
 * {@code portDefinitions[].port} / {@code portMappings[].servicePort} of 0 gets a port no other app uses, and the
 * canonical app shows the assigned number. They are identifiers for load balancers; nothing listens on them here.
 */
final class ServicePorts {
  static final int MIN = 10000;
  static final int MAX = 20000;
  private final Map<String, Set<Integer>> byApp = new HashMap<>();

  void assign(String appId, ObjectNode app) {
    Set<Integer> taken = new HashSet<>();
    byApp.forEach((id, ports) -> {
      if (!id.equals(appId)) taken.addAll(ports);
    });
    Set<Integer> mine = new HashSet<>();
    for (JsonNode d : app.path("portDefinitions")) mine.add(assign((ObjectNode) d, "port", taken));
    for (JsonNode m : app.path("container").path("portMappings")) mine.add(assign((ObjectNode) m, "servicePort", taken));
    mine.remove(0);
    byApp.put(appId, mine);
  }

  private static int assign(ObjectNode port, String field, Set<Integer> taken) {
    int value = port.path(field).asInt(0);
    if (value != 0) {
      taken.add(value);
      return value;
    }
    for (int candidate = MIN; candidate <= MAX; candidate++) {
      if (taken.add(candidate)) {
        port.put(field, candidate);
        return candidate;
      }
    }
    throw new IllegalStateException("all service ports " + MIN + "-" + MAX + " are assigned");
  }

  void release(String appId) {
    byApp.remove(appId);
  }
}
