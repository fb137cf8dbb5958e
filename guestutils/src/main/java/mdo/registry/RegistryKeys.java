package mdo.registry;

/**
 * The etcd key layout (DESIGN.md, "Registry layout"). Every key mdo writes is under {@code /mdo/<env>/}, and nothing
 * outside an environment's prefix is ever deleted.
 *
 * <pre>
 * /mdo/&lt;env&gt;/services/&lt;service&gt;/instances/&lt;taskId&gt;   instance record (JSON)
 * /mdo/&lt;env&gt;/ordinals/&lt;service&gt;/&lt;ordinal&gt;           ordinal claim: the task id holding it (text)
 * /mdo/&lt;env&gt;/callbacks/&lt;service&gt;/&lt;registrationId&gt;    callback registration (JSON)
 * /mdo/&lt;env&gt;/callback-quota                             bumped by every registration's create (compare-and-swap)
 * </pre>
 *
 * Ordinal claims live outside {@code services/}, so readers of instance records never see them.
 */
public final class RegistryKeys {
  public static final String DEFAULT_ENVIRONMENT = "default";
  private static final String MDO = "/mdo/";
  private static final String SERVICES = "/services/";
  private static final String INSTANCES = "/instances/";

  /**
   * An instance key taken apart. {@code valid} is false when the key has the shape
   * {@code .../services/<service>/instances/<taskId>} but a part is not a segment mdo writes (e.g. a space, or a
   * slash in the task id): nobody may read it as an instance, and nobody may build it to change it.
   */
  public record InstancePath(String service, String taskId, boolean valid) {}

  /** An ordinal claim key taken apart. */
  public record OrdinalPath(String service, int ordinal) {}

  private RegistryKeys() {}

  public static String environment(String env) {
    return "/mdo/" + segment(env, "environment") + "/";
  }

  /** Prefix of every instance of every service of the environment. */
  public static String services(String env) {
    return environment(env) + "services/";
  }

  /** Prefix of every instance of one service. */
  public static String instances(String env, String service) {
    return services(env) + segment(service, "service") + "/instances/";
  }

  /**
   * Built for every event, so in one builder of the final size: the chained concatenations of {@link #instances} built,
   * grew and copied four intermediate strings.
   */
  public static String instance(String env, String service, String taskId) {
    segment(env, "environment");
    segment(service, "service");
    segment(taskId, "task id");
    return new StringBuilder(MDO.length() + SERVICES.length() + INSTANCES.length() + env.length() + service.length()
        + taskId.length())
        .append(MDO).append(env).append(SERVICES).append(service).append(INSTANCES).append(taskId)
        .toString();
  }

  public static String callbacks(String env) {
    return environment(env) + "callbacks/";
  }

  public static String callbacks(String env, String service) {
    return callbacks(env) + segment(service, "service") + "/";
  }

  /**
   * The key every callback registration's create compares and bumps: the quota count read before and the create are
   * then one atomic step. Outside {@link #callbacks}, so listing registrations never sees it.
   */
  public static String callbackQuota(String env) {
    return environment(env) + "callback-quota";
  }

  public static String callback(String env, String service, String registrationId) {
    return callbacks(env, service) + segment(registrationId, "registration id");
  }

  /** Prefix of every ordinal claim of the environment. */
  public static String ordinals(String env) {
    return environment(env) + "ordinals/";
  }

  /** The claim of {@code ordinal} in {@code service}: whoever created it holds the ordinal. */
  public static String ordinal(String env, String service, int ordinal) {
    if (ordinal < 0 || ordinal > InstanceRecord.MAX_ORDINAL) throw new IllegalArgumentException("ordinal out of range: " + ordinal);
    return ordinals(env) + segment(service, "service") + "/" + ordinal;
  }

  /** The service name of a valid instance key under {@link #services}, or {@code null} if the key is not one. */
  public static String serviceOf(String env, String key) {
    InstancePath path = instancePath(env, key);
    return path == null || !path.valid() ? null : path.service();
  }

  /** The parts of a key shaped like an instance key of {@code env}, or {@code null} for any other key. */
  public static InstancePath instancePath(String env, String key) {
    String prefix = services(env);
    if (!key.startsWith(prefix)) return null;
    int at = key.indexOf(INSTANCES, prefix.length());
    if (at < 0) return null;
    String service = key.substring(prefix.length(), at);
    String taskId = key.substring(at + INSTANCES.length());
    return new InstancePath(service, taskId, isSegment(service) && isSegment(taskId));
  }

  /** The parts of a valid ordinal claim key of {@code env}, or {@code null} for any other key. */
  public static OrdinalPath ordinalPath(String env, String key) {
    String prefix = ordinals(env);
    if (!key.startsWith(prefix)) return null;
    int slash = key.indexOf('/', prefix.length());
    if (slash < 0) return null;
    String service = key.substring(prefix.length(), slash);
    String number = key.substring(slash + 1);
    if (!isSegment(service) || number.isEmpty() || number.length() > 6) return null;
    int ordinal = 0;
    for (int i = 0; i < number.length(); i++) {
      char c = number.charAt(i);
      if (c < '0' || c > '9' || (i == 0 && c == '0' && number.length() > 1)) return null;
      ordinal = ordinal * 10 + (c - '0');
    }
    return ordinal > InstanceRecord.MAX_ORDINAL ? null : new OrdinalPath(service, ordinal);
  }

  private static String segment(String value, String what) {
    if (!isSegment(value)) {
      throw new IllegalArgumentException("invalid " + what + " for a registry key: '" + value + "'");
    }
    return value;
  }

  /**
   * {@code [A-Za-z0-9][A-Za-z0-9._-]*}, ASCII only, so no segment is {@code .} or {@code ..} and none holds a slash.
   * Checked per key of every event, hence a loop rather than a regex.
   */
  public static boolean isSegment(String value) {
    if (value == null || value.isEmpty() || !isAsciiLetterOrDigit(value.charAt(0))) return false;
    for (int i = 1; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!isAsciiLetterOrDigit(c) && c != '.' && c != '_' && c != '-') return false;
    }
    return true;
  }

  private static boolean isAsciiLetterOrDigit(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
  }
}
