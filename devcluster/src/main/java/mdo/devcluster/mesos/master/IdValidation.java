package mdo.devcluster.mesos.master;

/** {@code common::validation::validateID}: task, framework, agent and executor ids. */
final class IdValidation {
  private static final int NAME_MAX = 255;

  private IdValidation() {}

  static String problem(String id) {
    if (id.isEmpty()) return "ID must not be empty";
    if (id.length() > NAME_MAX) return "ID must not be greater than " + NAME_MAX + " characters";
    if (id.equals(".") || id.equals("..")) return "'" + id + "' is disallowed";
    for (char c : id.toCharArray()) {
      if (Character.isISOControl(c) || c == '/' || c == '\\') return "'" + id + "' contains invalid characters";
    }
    return null;
  }
}
