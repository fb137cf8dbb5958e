package mdo.devcluster.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import mdo.devcluster.apps.AppSpec;

/**
 * Marathon's task environment ({@code TaskBuilder.scala}, {@code EnvironmentHelper.scala}; API.md §5): HOST, PORT*,
 * MESOS_TASK_ID, MARATHON_APP_*, labels, and the app's own {@code env} last so it overrides everything.
 */
final class TaskEnvironment {
  private TaskEnvironment() {}

  /** @param ports the effective port of each port index (host port, else container port) */
  static Map<String, String> build(AppSpec app, String taskId, String host, List<Integer> ports) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HOST", host);
    List<String> all = new ArrayList<>();
    for (int i = 0; i < ports.size(); i++) {
      String value = Integer.toString(ports.get(i));
      AppSpec.PortSpec spec = app.ports().get(i);
      env.put("PORT" + i, value);
      int key = spec.requested() == 0 ? ports.get(i) : spec.requested();
      env.put("PORT_" + key, value);
      if (spec.name() != null) env.put("PORT_" + spec.name().toUpperCase(Locale.ROOT), value);
      all.add(value);
    }
    if (!ports.isEmpty()) {
      env.put("PORT", all.get(0));
      env.put("PORTS", String.join(",", all));
    }
    env.put("MESOS_TASK_ID", taskId);
    env.put("MARATHON_APP_ID", app.id());
    env.put("MARATHON_APP_VERSION", app.version());
    if (app.image() != null) env.put("MARATHON_APP_DOCKER_IMAGE", app.image());
    env.put("MARATHON_APP_RESOURCE_CPUS", Double.toString(app.cpus()));
    env.put("MARATHON_APP_RESOURCE_MEM", Double.toString(app.mem()));
    env.put("MARATHON_APP_RESOURCE_DISK", Double.toString(app.disk()));
    env.put("MARATHON_APP_RESOURCE_GPUS", Integer.toString(app.gpus()));
    List<String> labelKeys = new ArrayList<>();
    app.labels().forEach((key, value) -> {
      String sanitized = key.replaceAll("[^a-zA-Z0-9_]+", "_").toUpperCase(Locale.ROOT);
      // Marathon skips labels whose env entry would exceed 512 characters (EnvironmentHelper.scala).
      if (sanitized.length() >= 512 - "MARATHON_APP_LABEL_".length() || value.length() >= 512) return;
      labelKeys.add(sanitized);
      env.put("MARATHON_APP_LABEL_" + sanitized, value);
    });
    env.put("MARATHON_APP_LABELS", String.join(" ", labelKeys));
    env.putAll(app.env());
    return env;
  }
}
