package mdo.framework.placement;

/** One constraint field's value id on every offered agent, computed once per cycle and shared by all services. */
final class FieldIndex {
  final String field;
  final FieldValues values = new FieldValues();
  final int[] agentValue;

  FieldIndex(String field, OfferBook book) {
    this.field = field;
    agentValue = new int[book.size()];
    for (int a = 0; a < agentValue.length; a++) agentValue[a] = values.id(book.agents[a].fieldValue(field));
  }

  /** The id of the value an agent (offering or not) has; new values get new ids. */
  int idOf(Agent agent) {
    return values.id(agent.fieldValue(field));
  }

  /** The value of offered agent {@code a}, {@code null} when it has none. */
  String valueOf(int a) {
    int id = agentValue[a];
    return id == FieldValues.MISSING ? null : values.name(id);
  }

  /** The field as people name it: {@code hostname}, {@code rack}. */
  String label() {
    return field.startsWith("@") ? field.substring(1) : field;
  }

  /** {@code hostname} and {@code @hostname} are one field. */
  static String canonical(String field) {
    return field.equals("@hostname") ? "hostname" : field;
  }
}
