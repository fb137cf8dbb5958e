package mdo.framework.placement;

/** A service's constraint rule together with the field it reads on every agent. */
record BoundRule(ConstraintRule rule, FieldIndex field) {

  /** Whether offered agent {@code a} satisfies the rule now. */
  boolean allows(int a) {
    int id = field.agentValue[a];
    if (rule.constraint.dependsOnPlacedInstances()) return id != FieldValues.MISSING && rule.allowsPresent(id);
    return rule.allowsValue(id, field.valueOf(a));
  }

  void add(int a) {
    rule.add(field.agentValue[a]);
  }

  Constraint constraint() {
    return rule.constraint;
  }
}
