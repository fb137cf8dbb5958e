package mdo.framework.placement;

import java.util.regex.Pattern;

/**
 * One constraint of one service during one cycle: Marathon's check ({@link Constraint}) over the counts of the
 * service's instances per value, updated as instances are placed.
 */
final class ConstraintRule {
  final Constraint constraint;
  private final GroupCounts counts = new GroupCounts();
  private final Pattern pattern;
  private final String isTarget;
  /** GROUP_BY with a count: Marathon's desiredCountPerGroup, remainder and remainderConsumed. */
  private final int groupCount;
  private final int perGroup;
  private final int remainder;
  private int remainderConsumed;
  private final int maxPer;

  private ConstraintRule(Constraint constraint, int instances) {
    this.constraint = constraint;
    Constraint.Operator op = constraint.operator();
    boolean regex = op == Constraint.Operator.LIKE || op == Constraint.Operator.UNLIKE;
    this.pattern = regex ? Pattern.compile(constraint.value()) : null;
    this.isTarget = op == Constraint.Operator.IS ? constraint.isTarget() : null;
    this.groupCount = op == Constraint.Operator.GROUP_BY ? Math.max(0, constraint.number()) : 0;
    this.perGroup = groupCount > 0 ? instances / groupCount : 0;
    this.remainder = groupCount > 0 ? instances % groupCount : 0;
    this.maxPer = op == Constraint.Operator.MAX_PER ? constraint.number() : 0;
  }

  static ConstraintRule create(Constraint constraint, int instances) {
    return new ConstraintRule(constraint, instances);
  }

  /** Counts one more instance on an agent whose field value has this id. */
  void add(int id) {
    counts.add(id);
    if (groupCount > 0 && counts.count(id) > perGroup) remainderConsumed++;
  }

  /** The full check for an agent whose value is {@code value} ({@code null}: none) with id {@code id}. */
  boolean allowsValue(int id, String value) {
    if (value == null) return constraint.operator() == Constraint.Operator.UNLIKE;
    return switch (constraint.operator()) {
      case LIKE -> !constraint.value().isEmpty() && pattern.matcher(value).matches();
      case UNLIKE -> !constraint.value().isEmpty() && !pattern.matcher(value).matches();
      case IS -> value.equals(isTarget);
      case CLUSTER -> constraint.value() != null && !constraint.value().isEmpty()
          ? value.equals(constraint.value()) : allowsPresent(id);
      case UNIQUE, GROUP_BY, MAX_PER -> allowsPresent(id);
    };
  }

  /** The check of a constraint that depends on placed instances, for an agent that has a value (id != MISSING). */
  boolean allowsPresent(int id) {
    int c = counts.count(id);
    return switch (constraint.operator()) {
      case UNIQUE -> c == 0;
      case MAX_PER -> c == 0 || c < maxPer;
      case CLUSTER -> counts.total() == 0 || counts.first() == id;
      case GROUP_BY -> groupCount > 0 ? groupByCount(c) : c == 0 || c == counts.smallest();
      case LIKE, UNLIKE, IS -> throw new IllegalStateException(constraint + " does not depend on placed instances");
    };
  }

  private boolean groupByCount(int c) {
    if (counts.total() == 0) return true;
    if (c > 0) return c < perGroup || (c == perGroup && remainder - remainderConsumed > 0);
    return counts.groups() < groupCount;
  }

  /** How many instances have the value with this id. */
  int count(int id) {
    return counts.count(id);
  }

  /** The value id of the first instance, for CLUSTER without a value; -1 when there is none. */
  int first() {
    return counts.first();
  }
}
