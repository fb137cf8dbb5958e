package mdo.devcluster.mesos.master;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.mesos.v1.Protos.Attribute;
import org.apache.mesos.v1.Protos.Value;
import org.apache.mesos.v1.scheduler.Protos.AttributeConstraint;
import org.apache.mesos.v1.scheduler.Protos.OfferConstraints;

/**
 * A framework's {@code offer_constraints} ({@code src/master/allocator/mesos/offer_constraints_filter.cpp}): per role,
 * an agent is offered when any group holds, and a group holds when each of its attribute constraints does.
 */
final class OfferConstraintsFilter {
  static final OfferConstraintsFilter NONE = new OfferConstraintsFilter(Map.of());

  /** One attribute constraint: what it looks at on the agent, and what it asks of it. */
  private record Constraint(String attribute, AttributeConstraint.Selector.PseudoattributeType pseudo,
                            Predicate<String> onText, boolean onMissing, boolean onNonText) {
    boolean holds(String hostname, List<Attribute> attributes) {
      if (pseudo != null) {
        return pseudo == AttributeConstraint.Selector.PseudoattributeType.HOSTNAME ? onText.test(hostname) : onMissing;
      }
      for (Attribute a : attributes) {
        if (!a.getName().equals(attribute)) continue;
        return a.getType() == Value.Type.TEXT ? onText.test(a.getText().getValue()) : onNonText;
      }
      return onMissing;
    }
  }

  private final Map<String, List<List<Constraint>>> roles;

  private OfferConstraintsFilter(Map<String, List<List<Constraint>>> roles) {
    this.roles = roles;
  }

  /** Thrown with the master's message when the constraints are not valid. */
  static final class Invalid extends Exception {
    Invalid(String message) {
      super(message);
    }
  }

  static OfferConstraintsFilter create(OfferConstraints constraints) throws Invalid {
    Map<String, List<List<Constraint>>> roles = new LinkedHashMap<>();
    for (var entry : constraints.getRoleConstraintsMap().entrySet()) {
      String role = entry.getKey();
      if (entry.getValue().getGroupsCount() == 0) {
        throw new Invalid("'OfferConstraints::role_constraints' has an empty 'RoleConstraints::groups' for role "
            + role);
      }
      List<List<Constraint>> groups = new ArrayList<>();
      for (var group : entry.getValue().getGroupsList()) {
        if (group.getAttributeConstraintsCount() == 0) {
          throw new Invalid("'OfferConstraints::RoleConstraints::groups' for role " + role
              + "contains an empty RoleConstraints::Group");
        }
        List<Constraint> all = new ArrayList<>();
        for (AttributeConstraint c : group.getAttributeConstraintsList()) {
          try {
            all.add(constraint(c));
          } catch (Invalid e) {
            throw new Invalid("A role " + role + " has an invalid 'AttributeConstraint': " + e.getMessage());
          }
        }
        groups.add(all);
      }
      roles.put(role, groups);
    }
    return new OfferConstraintsFilter(roles);
  }

  private static Constraint constraint(AttributeConstraint c) throws Invalid {
    AttributeConstraint.Selector selector = c.getSelector();
    String attribute = null;
    AttributeConstraint.Selector.PseudoattributeType pseudo = null;
    switch (selector.getSelectorCase()) {
      case ATTRIBUTE_NAME -> attribute = selector.getAttributeName();
      case PSEUDOATTRIBUTE_TYPE -> {
        if (selector.getPseudoattributeType() == AttributeConstraint.Selector.PseudoattributeType.UNKNOWN) {
          throw new Invalid("Unknown pseudoattribute type");
        }
        pseudo = selector.getPseudoattributeType();
      }
      default -> throw new Invalid("'AttributeConstraint::Selector' has no value set");
    }
    AttributeConstraint.Predicate p = c.getPredicate();
    return switch (p.getPredicateCase()) {
      case EXISTS -> new Constraint(attribute, pseudo, s -> true, false, true);
      case NOT_EXISTS -> new Constraint(attribute, pseudo, s -> false, true, false);
      case TEXT_EQUALS -> {
        String value = p.getTextEquals().getValue();
        yield new Constraint(attribute, pseudo, value::equals, false, true);
      }
      case TEXT_NOT_EQUALS -> {
        String value = p.getTextNotEquals().getValue();
        yield new Constraint(attribute, pseudo, s -> !value.equals(s), true, true);
      }
      case TEXT_MATCHES -> {
        Pattern regex = regex(p.getTextMatches().getRegex());
        yield new Constraint(attribute, pseudo, s -> regex.matcher(s).matches(), false, true);
      }
      case TEXT_NOT_MATCHES -> {
        Pattern regex = regex(p.getTextNotMatches().getRegex());
        yield new Constraint(attribute, pseudo, s -> !regex.matcher(s).matches(), true, true);
      }
      default -> throw new Invalid("Unknown predicate type");
    };
  }

  private static Pattern regex(String text) throws Invalid {
    try {
      return Pattern.compile(text);
    } catch (PatternSyntaxException e) {
      throw new Invalid("Failed to construct regex from string: '" + text + "': " + e.getDescription());
    }
  }

  /** True when the agent must not be offered to this role. */
  boolean excludes(String role, String hostname, List<Attribute> attributes) {
    List<List<Constraint>> groups = roles.get(role);
    if (groups == null) return false;
    return groups.stream().noneMatch(group -> group.stream().allMatch(c -> c.holds(hostname, attributes)));
  }
}
