package mdo.guestutils;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import mdo.registry.InstanceRecord;

/**
 * Which instances a node list holds and how long {@code minimum} may wait.
 *
 * @param labels every entry must be present on the instance (superset match, like the seed's {@code labels=[...]});
 *     an empty value means "the key is present with any value"
 * @param includeUnready also list instances that are starting, unhealthy or draining (peer bootstrap)
 * @param timeout how long to wait for {@code minimum} ready instances; zero checks once
 */
public record NodeQuery(Map<String, String> labels, boolean includeUnready, Duration timeout) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  public NodeQuery {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    if (timeout == null || timeout.isNegative()) timeout = Duration.ZERO;
  }

  public static NodeQuery defaults() {
    return new NodeQuery(Map.of(), false, DEFAULT_TIMEOUT);
  }

  public NodeQuery withTimeout(Duration t) {
    return new NodeQuery(labels, includeUnready, t);
  }

  public NodeQuery withIncludeUnready(boolean b) {
    return new NodeQuery(labels, b, timeout);
  }

  public NodeQuery withLabel(String key, String value) {
    Map<String, String> copy = new LinkedHashMap<>(labels);
    copy.put(key, value == null ? "" : value);
    return new NodeQuery(copy, includeUnready, timeout);
  }

  public boolean matches(InstanceRecord r) {
    if (!includeUnready && !r.ready()) return false;
    for (Map.Entry<String, String> want : labels.entrySet()) {
      String have = r.labels().get(want.getKey());
      if (have == null) return false;
      if (!want.getValue().isEmpty() && !want.getValue().equals(have)) return false;
    }
    return true;
  }
}
