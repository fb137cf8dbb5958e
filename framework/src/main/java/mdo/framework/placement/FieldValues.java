package mdo.framework.placement;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Numbers the distinct values of one constraint field, so counting instances per value is an array lookup. */
final class FieldValues {
  /** The id of "the agent has no value for this field". */
  static final int MISSING = 0;

  private final Map<String, Integer> ids = new HashMap<>();
  private final List<String> names = new ArrayList<>(List.of("(none)"));

  int id(String value) {
    if (value == null) return MISSING;
    Integer id = ids.get(value);
    if (id != null) return id;
    ids.put(value, names.size());
    names.add(value);
    return names.size() - 1;
  }

  String name(int id) {
    return names.get(id);
  }
}
