package mdo.config;

/**
 * Mesos' rules for role names ({@code src/common/roles.cpp}, {@code validate}): {@code *}, or one or more
 * {@code /}-separated components, none of them empty, {@code .}, {@code ..} or {@code *}, none starting with {@code -}
 * and none holding whitespace or control characters.
 */
final class MesosRoles {
  private MesosRoles() {}

  /** Why the master would refuse {@code role}, or null when it is valid. */
  static String problem(String role) {
    if (role.equals("*")) return null;
    if (role.isEmpty()) return "an empty Mesos role is invalid";
    if (role.startsWith("/") || role.endsWith("/")) return "Mesos role '" + role + "' cannot start or end with '/'";
    for (String part : role.split("/", -1)) {
      if (part.isEmpty()) return "Mesos role '" + role + "' has an empty component ('//')";
      if (part.equals(".") || part.equals("..") || part.equals("*")) {
        return "Mesos role '" + role + "' cannot have '" + part + "' as a component";
      }
      if (part.startsWith("-")) return "Mesos role '" + role + "' has a component starting with '-'";
      for (int i = 0; i < part.length(); i++) {
        char c = part.charAt(i);
        if (Character.isWhitespace(c) || Character.isISOControl(c)) {
          return "Mesos role '" + role + "' cannot contain whitespace or control characters";
        }
      }
    }
    return null;
  }
}
