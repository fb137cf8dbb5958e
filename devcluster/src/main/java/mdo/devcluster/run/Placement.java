package mdo.devcluster.run;

import java.text.DecimalFormat;
import java.util.List;
import java.util.regex.Pattern;
import mdo.devcluster.apps.AppSpec;

/**
 * Whether the dev cluster's one agent can take one more instance of an app, decided the way Marathon matches an
 * offer, and if not, why, as the first {@code NoOfferMatchReason} of Marathon's funnel ({@code
 * mesos/NoOfferMatchReason.scala}): UnfulfilledRole, UnfulfilledConstraint, then InsufficientPorts. The agent offers
 * unreserved ({@code *}) resources and its {@code ports} range; its host name is the task host, its region and zone
 * are {@code local}, and it has no other attributes. cpus, mem and disk are not accounted.
 */
final class Placement {
  static final String REGION = "local";
  static final String ZONE = "local";
  private static final Pattern SCALAR = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)");

  /** Why the offer was declined: the reason's name as {@code /v2/queue} reports it, and a sentence for the log. */
  record Rejection(String reason, String detail) {}

  private final String hostname;
  private final PortAllocator ports;

  Placement(String hostname, PortAllocator ports) {
    this.hostname = hostname;
    this.ports = ports;
  }

  /**
   * @param placed the app's instances that hold a place on the agent (launched and not yet terminal, any version)
   * @return null when the instance can be launched now
   */
  Rejection check(AppSpec spec, List<Instance> placed) {
    if (!spec.acceptedResourceRoles().contains("*")) {
      return new Rejection("UnfulfilledRole", "the agent offers only unreserved (*) resources, the app accepts "
          + spec.acceptedResourceRoles());
    }
    for (List<String> constraint : spec.constraints()) {
      if (!meets(constraint, placed.size())) {
        return new Rejection("UnfulfilledConstraint", "constraint " + constraint + " is not met on " + hostname
            + (placed.isEmpty() ? "" : ", which runs " + placed.size() + " instance(s) of " + spec.id()));
      }
    }
    int dynamic = 0;
    for (AppSpec.PortSpec port : spec.ports()) {
      Integer host = port.hostPort();
      if (host != null && host > 0) {
        if (!ports.ranges().contains(host)) {
          return new Rejection("InsufficientPorts", "host port " + host + " is not in the agent's ports "
              + ports.ranges());
        }
        if (!ports.offered(host)) {
          return new Rejection("InsufficientPorts", "host port " + host + " is held by another task");
        }
      } else if (host != null) {
        dynamic++;
      }
    }
    if (dynamic > ports.offeredCount()) {
      return new Rejection("InsufficientPorts", dynamic + " host ports needed, " + ports.offeredCount()
          + " left in " + ports.ranges());
    }
    return null;
  }

  /**
   * {@code Constraints.ConstraintsChecker} for one agent: every placed instance shares its host name, region and
   * zone, so UNIQUE allows one instance, MAX_PER n allows n, and GROUP_BY with a value above 1 allows one.
   */
  private boolean meets(List<String> constraint, int placedCount) {
    String field = constraint.get(0);
    String operator = constraint.get(1);
    String value = constraint.size() > 2 ? constraint.get(2) : "";
    String offerValue = switch (field) {
      case "hostname", "@hostname" -> hostname;
      case "@region" -> REGION;
      case "@zone" -> ZONE;
      default -> null;
    };
    // Only UNLIKE matches an offer that lacks the field.
    if (offerValue == null) return operator.equals("UNLIKE");
    return switch (operator) {
      case "UNIQUE" -> placedCount == 0;
      case "CLUSTER" -> value.isEmpty() || offerValue.equals(value);
      case "GROUP_BY" -> placedCount == 0 || Math.max(0, intOr(value, 0)) <= 1;
      case "MAX_PER" -> placedCount < intOr(value, Integer.MAX_VALUE);
      case "LIKE" -> !value.isEmpty() && offerValue.matches(value);
      case "UNLIKE" -> !value.isEmpty() && !offerValue.matches(value);
      case "IS" -> offerValue.equals(SCALAR.matcher(value).matches()
          ? new DecimalFormat("0.###").format(Double.parseDouble(value)) : value);
      default -> false;
    };
  }

  private static int intOr(String value, int fallback) {
    if (value.equals("inf")) return Integer.MAX_VALUE;
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
