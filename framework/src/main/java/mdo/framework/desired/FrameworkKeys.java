package mdo.framework.desired;

import mdo.leader.LeaderElection;
import mdo.registry.RegistryKeys;

/**
 * Where the native framework's state lives in etcd (DESIGN.md, "Registry layout"), all under the environment's
 * {@code /mdo/<env>/framework/}:
 *
 * <pre>
 * framework/id                     the Mesos framework id, kept across scheduler processes
 * framework/services/&lt;service&gt;   desired state, written by launcher/updater (compare-and-swap)
 * framework/progress/&lt;service&gt;   how far the framework got, written by the leading scheduler
 * framework/tasks/&lt;taskId&gt;       the scheduler's own record of every task it launched
 * leaders/framework                  who leads ({@code mdo.leader.LeaderElection}, role {@link #LEADER_ROLE})
 * </pre>
 */
public final class FrameworkKeys {
  /** The role {@code bin/framework} processes elect their leader under. */
  public static final String LEADER_ROLE = "framework";
  private FrameworkKeys() {}

  public static String root(String environment) {
    return RegistryKeys.environment(environment) + "framework/";
  }

  public static String leader(String environment) {
    return LeaderElection.key(environment, LEADER_ROLE);
  }

  public static String frameworkId(String environment) {
    return root(environment) + "id";
  }

  public static String services(String environment) {
    return root(environment) + "services/";
  }

  public static String service(String environment, String service) {
    return services(environment) + segment(service, "service");
  }

  public static String progressPrefix(String environment) {
    return root(environment) + "progress/";
  }

  public static String progress(String environment, String service) {
    return progressPrefix(environment) + segment(service, "service");
  }

  public static String tasks(String environment) {
    return root(environment) + "tasks/";
  }

  public static String task(String environment, String taskId) {
    return tasks(environment) + segment(taskId, "task id");
  }

  /** The last segment of a key under {@code prefix}, or null when the key is not directly under it. */
  public static String nameUnder(String prefix, String key) {
    if (!key.startsWith(prefix)) return null;
    String rest = key.substring(prefix.length());
    return rest.isEmpty() || rest.contains("/") ? null : rest;
  }

  private static String segment(String value, String what) {
    if (value == null || value.isEmpty() || !value.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException("invalid " + what + " for a framework key: '" + value + "'");
    }
    return value;
  }
}
