package mdo.devcluster.mesos.resources;

/** Role names as {@code src/common/roles.cpp} accepts them. */
public final class Roles {
  private static final String INVALID_CHARACTERS = "\t\n\u000b\f\r \u007f";

  private Roles() {}

  /** Null when {@code role} is a valid role name, else the master's reason. */
  public static String problem(String role) {
    if (role.equals("*")) return null;
    if (role.startsWith("/")) return "Role '" + role + "' cannot start with a slash";
    if (role.endsWith("/")) return "Role '" + role + "' cannot end with a slash";
    if (role.contains("//")) return "Role '" + role + "' cannot contain two adjacent slashes";
    if (role.isEmpty()) return "Role names cannot be the empty string";
    for (String component : role.split("/")) {
      if (component.equals(".")) return "Role '" + role + "' cannot include '.' as a component";
      if (component.equals("..")) return "Role '" + role + "' cannot include '..' as a component";
      if (component.equals("*")) return "Role '" + role + "' cannot include '*' as a component";
      if (component.startsWith("-")) {
        return "Role component '" + component + "' is invalid because it starts with a dash";
      }
      for (char c : component.toCharArray()) {
        if (INVALID_CHARACTERS.indexOf(c) >= 0) {
          return "Role component '" + component + "' is invalid because it contains backspace or whitespace";
        }
      }
    }
    return null;
  }
}
