package mdo.devcluster.mesos.master;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import mdo.devcluster.mesos.resources.Roles;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.FrameworkInfo.Capability;

/**
 * {@code Master::validateFramework} and {@code validation::framework::validateUpdate}: what makes the master refuse a
 * subscription (an ERROR event, then the stream closes) or an UPDATE_FRAMEWORK (400).
 */
final class FrameworkValidation {
  private FrameworkValidation() {}

  /**
   * Null when the master accepts {@code info}. The dev cluster has no {@code --roles} whitelist and runs with the
   * default {@code --root_submissions=true}, so neither refuses anything here.
   */
  static String problem(FrameworkInfo info, List<String> suppressedRoles, Collection<String> completedFrameworks) {
    String roles = rolesProblem(info);
    if (roles != null) return roles;
    if (info.hasId() && !info.getId().getValue().isEmpty()) {
      String id = IdValidation.problem(info.getId().getValue());
      if (id != null) return id;
    }
    Set<String> frameworkRoles = new LinkedHashSet<>(Framework.roles(info));
    for (String role : suppressedRoles) {
      if (!frameworkRoles.contains(role)) {
        return "Suppressed role '" + role + "' is not contained in the list of roles";
      }
    }
    if (info.hasId() && completedFrameworks.contains(info.getId().getValue())) return "Framework has been removed";
    double timeout = info.getFailoverTimeout();
    if (Double.isNaN(timeout) || Math.abs(timeout) * 1e9 > Long.MAX_VALUE) {
      return "The framework failover_timeout (" + timeout + ") is invalid";
    }
    return null;
  }

  private static String rolesProblem(FrameworkInfo info) {
    boolean multiRole = info.getCapabilitiesList().stream().anyMatch(c -> c.getType() == Capability.Type.MULTI_ROLE);
    if (multiRole && info.hasRole()) {
      return "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable";
    }
    if (!multiRole && info.getRolesCount() > 0) {
      return "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable";
    }
    if (multiRole) {
      Set<String> seen = new LinkedHashSet<>();
      Set<String> duplicates = new TreeSet<>();
      for (String role : info.getRolesList()) {
        if (!seen.add(role)) duplicates.add(role);
      }
      if (!duplicates.isEmpty()) {
        return "'FrameworkInfo.roles' contains duplicate items: { " + String.join(", ", duplicates) + " }";
      }
      for (String role : info.getRolesList()) {
        String problem = Roles.problem(role);
        if (problem != null) return "'FrameworkInfo.roles' contains invalid role: " + problem;
      }
      return null;
    }
    String problem = Roles.problem(info.getRole());
    return problem == null ? null : "'FrameworkInfo.role' is not a valid role: " + problem;
  }

  /** {@code validateUpdate}: the principal, user and checkpoint flag of a framework never change. */
  static String updateProblem(FrameworkInfo old, FrameworkInfo updated) {
    String oldPrincipal = old.hasPrincipal() ? old.getPrincipal() : null;
    String newPrincipal = updated.hasPrincipal() ? updated.getPrincipal() : null;
    if (!java.util.Objects.equals(oldPrincipal, newPrincipal)) return "Changing framework's principal is not allowed.";
    if (!updated.getUser().equals(old.getUser())) {
      return "Updating 'FrameworkInfo.user' is unsupported; attempted to update from '" + old.getUser() + "' to '"
          + updated.getUser() + "'";
    }
    if (updated.getCheckpoint() != old.getCheckpoint()) {
      return "Updating 'FrameworkInfo.checkpoint' is unsupported; attempted to update from '" + old.getCheckpoint()
          + "' to '" + updated.getCheckpoint() + "'";
    }
    return null;
  }

  /** On re-subscribe the master silently keeps the old user and checkpoint flag ({@code preserveImmutableFields}). */
  static FrameworkInfo preserveImmutable(FrameworkInfo old, FrameworkInfo updated) {
    return updated.toBuilder().setUser(old.getUser()).setCheckpoint(old.getCheckpoint()).build();
  }
}
