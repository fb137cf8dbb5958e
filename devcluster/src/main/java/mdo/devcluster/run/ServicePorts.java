package mdo.devcluster.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Service ports, as Marathon assigns them from {@code local_port_min..local_port_max} (10000–20000,
 * {@code AssignDynamicServiceLogic}): every {@code portDefinitions[].port} / {@code portMappings[].servicePort} of 0
 * gets, first, a port the app had before and no longer names, then the lowest port no app uses; the canonical app
 * shows the assigned number. So an app re-sent with 0s gets its old service ports back. With {@code requirePorts}
 * the assigned number is also the host port the task needs. Nothing listens on them here.
 */
final class ServicePorts {
  static final int MIN = 10000;
  static final int MAX = 20000;
  private final Map<String, List<Integer>> byApp = new HashMap<>();

  void assign(String appId, ObjectNode app) {
    List<ObjectNode> entries = new ArrayList<>();
    List<String> fields = new ArrayList<>();
    for (JsonNode d : app.path("portDefinitions")) {
      entries.add((ObjectNode) d);
      fields.add("port");
    }
    for (JsonNode m : app.path("container").path("portMappings")) {
      entries.add((ObjectNode) m);
      fields.add("servicePort");
    }
    Set<Integer> named = new HashSet<>();
    for (int i = 0; i < entries.size(); i++) named.add(entries.get(i).path(fields.get(i)).asInt(0));
    Set<Integer> taken = new HashSet<>(named);
    byApp.values().forEach(taken::addAll);
    Deque<Integer> reusable = new ArrayDeque<>();
    for (int port : byApp.getOrDefault(appId, List.of())) {
      if (port >= MIN && port <= MAX && !named.contains(port)) reusable.add(port);
    }
    List<Integer> mine = new ArrayList<>();
    int candidate = MIN;
    for (int i = 0; i < entries.size(); i++) {
      int value = entries.get(i).path(fields.get(i)).asInt(0);
      if (value == 0) {
        if (!reusable.isEmpty()) {
          value = reusable.poll();
        } else {
          while (candidate <= MAX && taken.contains(candidate)) candidate++;
          if (candidate > MAX) throw new IllegalStateException("all service ports " + MIN + "-" + MAX + " are assigned");
          value = candidate;
        }
        taken.add(value);
        entries.get(i).put(fields.get(i), value);
      }
      mine.add(value);
    }
    byApp.put(appId, List.copyOf(mine));
  }

  void release(String appId) {
    byApp.remove(appId);
  }
}
