package mdo.framework.placement;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A Marathon constraint {@code [field, OPERATOR, value?]}, meaning exactly what it means on Marathon
 * ({@code mesosphere/marathon: src/main/scala/mesosphere/mesos/Constraints.scala}). The field is {@code hostname} (or
 * {@code @hostname}), {@code @region}, {@code @zone} or an agent attribute. An agent without the field satisfies only
 * UNLIKE.
 *
 * <ul>
 *   <li>UNIQUE: no other instance of the service has the agent's value.
 *   <li>CLUSTER with a value: the agent's value equals it (string compare). Without a value: the value of the
 *       service's first instance (any value while none exists).
 *   <li>GROUP_BY with a count N: instances spread over N values: a value gets at most {@code instances / N}, and the
 *       {@code instances % N} left over go one each to distinct values; a new value is taken while fewer than N are
 *       used. Without a count (or 0): a new value, or one of the values with the fewest instances (what Marathon
 *       documents; its 1.9.x-1.11 code divides by zero there).
 *   <li>LIKE / UNLIKE: the agent's value matches / does not match the regular expression (whole value).
 *   <li>MAX_PER N: fewer than N instances have the agent's value.
 *   <li>IS: the value equals, scalars compared to the thousandth ({@code 1.0005} IS {@code 1}).
 * </ul>
 *
 * @param value {@code null} when the constraint has none
 */
public record Constraint(String field, Operator operator, String value) {

  public enum Operator { UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE, MAX_PER, IS }

  /** Marathon's {@code SchedulingValidationMessages.MesosLiteralOrFloatValue}. */
  private static final Pattern IS_VALUE = Pattern.compile("[a-zA-Z0-9_/.-]*");
  /** Marathon's {@code Constraints.MesosScalarValue}. */
  private static final Pattern SCALAR = Pattern.compile("[0-9]+(?:\\.[0-9]+)?");

  /** Refuses what Marathon's app validation refuses, with its messages. */
  public Constraint {
    if (field == null || field.isEmpty()) throw invalid(field, operator, value, "missing field for constraint declaration");
    Objects.requireNonNull(operator, "operator");
    switch (operator) {
      case UNIQUE -> {
        if (value != null) throw invalid(field, operator, value, "UNIQUE does not accept a value");
      }
      case GROUP_BY -> {
        if (value != null && !isInt(value)) {
          throw invalid(field, operator, value, "GROUP BY must define an integer value or else no value at all");
        }
      }
      case MAX_PER -> {
        if (value == null || !isInt(value)) throw invalid(field, operator, value, "MAX_PER requires an integer value");
      }
      case LIKE, UNLIKE -> {
        if (value == null) throw invalid(field, operator, null, "LIKE and UNLIKE require a non-empty, regular expression value");
        try {
          Pattern.compile(value);
        } catch (PatternSyntaxException e) {
          throw invalid(field, operator, value, "is not a valid regular expression");
        }
      }
      case IS -> {
        if (!IS_VALUE.matcher(value == null ? "" : value).matches()) {
          throw invalid(field, operator, value,
              "IS only supports Mesos text and float values (see http://mesos.apache.org/documentation/latest/attributes-resources/)");
        }
      }
      case CLUSTER -> { } // the value is optional
    }
  }

  public static Constraint of(String field, Operator operator) {
    return new Constraint(field, operator, null);
  }

  public static Constraint of(String field, Operator operator, String value) {
    return new Constraint(field, operator, value);
  }

  /** {@code [field, OPERATOR]} or {@code [field, OPERATOR, value]} as config.yaml and Marathon's app JSON write it. */
  public static Constraint parse(List<String> parts) {
    if (parts.size() < 2 || parts.size() > 3) {
      throw new IllegalArgumentException("constraint " + parts + ": Each constraint must have either 2 or 3 fields");
    }
    Operator operator;
    try {
      operator = Operator.valueOf(parts.get(1).toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("constraint " + parts
          + ": operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER, UNLIKE or IS");
    }
    return new Constraint(parts.get(0), operator, parts.size() == 3 ? parts.get(2) : null);
  }

  public static List<Constraint> parseAll(List<List<String>> constraints) {
    List<Constraint> out = new ArrayList<>();
    for (List<String> c : constraints) out.add(parse(c));
    return out;
  }

  /**
   * Marathon's {@code Constraints.meetsConstraint} for one agent: whether an agent whose field has
   * {@code agentValue} ({@code null}: the agent has none) may take one more instance of a service of
   * {@code instances} instances whose existing instances have {@code placedValues} (in launch order; {@code null}
   * for an instance on an agent without the field).
   */
  public boolean meets(String agentValue, List<String> placedValues, int instances) {
    FieldValues values = new FieldValues();
    ConstraintRule rule = ConstraintRule.create(this, instances);
    for (String placed : placedValues) rule.add(values.id(placed));
    int id = values.id(agentValue);
    return rule.allowsValue(id, agentValue);
  }

  /** Changes from one cycle to the next: LIKE, UNLIKE, IS and CLUSTER with a value depend on the agent alone. */
  boolean dependsOnPlacedInstances() {
    return switch (operator) {
      case UNIQUE, GROUP_BY, MAX_PER -> true;
      case CLUSTER -> value == null || value.isEmpty();
      case LIKE, UNLIKE, IS -> false;
    };
  }

  /** Whether the placer spreads the service (UNIQUE, GROUP_BY) rather than packing it. */
  boolean spreads() {
    return operator == Operator.UNIQUE || operator == Operator.GROUP_BY;
  }

  /** The GROUP_BY count, the MAX_PER limit; 0 when there is none. */
  int number() {
    return value == null ? 0 : Integer.parseInt(value);
  }

  /** Marathon renders a scalar IS value as it renders scalar attributes, so {@code 1.0} IS {@code 1}. */
  String isTarget() {
    String v = value == null ? "" : value;
    return SCALAR.matcher(v).matches() ? AttributeValue.formatScalar(Double.parseDouble(v)) : v;
  }

  @Override
  public String toString() {
    return field + ":" + operator + (value == null ? "" : ":" + value);
  }

  private static boolean isInt(String s) {
    try {
      Integer.parseInt(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static IllegalArgumentException invalid(String field, Operator operator, String value, String message) {
    return new IllegalArgumentException("constraint " + field + ":" + operator + (value == null ? "" : ":" + value)
        + ": " + message);
  }
}
