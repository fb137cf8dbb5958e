package mdo.framework.placement;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A Mesos agent as constraints see it: its id, hostname, attributes and (when the agent has a fault domain) region
 * and zone. Offers and running tasks both carry one, so a task that runs on an agent that sends no offer this cycle
 * still counts for UNIQUE, GROUP_BY, MAX_PER and CLUSTER.
 *
 * @param region the fault domain's region, {@code null} when the agent has none
 * @param zone the fault domain's zone, {@code null} when the agent has none
 */
public record Agent(String id, String hostname, Map<String, AttributeValue> attributes, String region, String zone) {

  public Agent {
    requireText(id, "agent id");
    requireText(hostname, "hostname of agent " + id);
    attributes = Map.copyOf(new TreeMap<>(Objects.requireNonNull(attributes, "attributes")));
  }

  public Agent(String id, String hostname, Map<String, AttributeValue> attributes) {
    this(id, hostname, attributes, null, null);
  }

  /**
   * The value a constraint on {@code field} compares, or {@code null} when the agent has none: {@code hostname} and
   * {@code @hostname} are the hostname, {@code @region} and {@code @zone} the fault domain, anything else an
   * attribute rendered as Marathon renders it.
   */
  public String fieldValue(String field) {
    return switch (field) {
      case "hostname", "@hostname" -> hostname;
      case "@region" -> region;
      case "@zone" -> zone;
      default -> {
        AttributeValue value = attributes.get(field);
        yield value == null ? null : value.render();
      }
    };
  }

  static void requireText(String value, String what) {
    if (value == null || value.isBlank()) throw new IllegalArgumentException(what + " must not be empty");
  }
}
