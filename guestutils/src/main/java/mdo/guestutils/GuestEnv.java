package mdo.guestutils;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import mdo.registry.RegistryKeys;

/**
 * The environment contract, read without etcd: maestro-ng's variables ({@code SERVICE_NAME}, {@code CONTAINER_NAME},
 * {@code <S>_<C>_<P>_PORT} ...), Marathon's task variables ({@code HOST}, {@code PORT_<NAME>}, {@code PORT0..n},
 * {@code MESOS_TASK_ID}, {@code MARATHON_APP_ID}) and mdo's own ({@code MDO_ENVIRONMENT}, {@code ETCD_ENDPOINTS}...).
 * Blank values count as missing, as in maestro.
 */
public final class GuestEnv {
  private final Map<String, String> vars;

  public GuestEnv(Map<String, String> vars) {
    this.vars = Map.copyOf(vars);
  }

  /** A copy with {@code overrides} on top. */
  public GuestEnv with(Map<String, String> overrides) {
    Map<String, String> merged = new java.util.HashMap<>(vars);
    merged.putAll(overrides);
    return new GuestEnv(merged);
  }

  public static GuestEnv system() {
    return new GuestEnv(System.getenv());
  }

  public String get(String name) {
    String v = vars.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  /** {@code MDO_ENVIRONMENT}, else maestro's {@code MAESTRO_ENVIRONMENT_NAME}, else mdo's {@code default}. */
  public String environmentName() {
    String env = get("MDO_ENVIRONMENT");
    if (env == null) env = get("MAESTRO_ENVIRONMENT_NAME");
    return env == null ? RegistryKeys.DEFAULT_ENVIRONMENT : env;
  }

  /** {@code SERVICE_NAME}, else the app label {@code mdo.service}, else the last segment of {@code MARATHON_APP_ID}. */
  public String serviceName() {
    String name = get("SERVICE_NAME");
    if (name == null) name = get("MARATHON_APP_LABEL_MDO_SERVICE");
    if (name == null && get("MARATHON_APP_ID") != null) {
      String app = get("MARATHON_APP_ID");
      name = app.substring(app.lastIndexOf('/') + 1);
    }
    return name == null || name.isEmpty() ? null : name;
  }

  /** {@code CONTAINER_NAME}, else the Mesos task id. */
  public String containerName() {
    String name = get("CONTAINER_NAME");
    return name != null ? name : get("MESOS_TASK_ID");
  }

  /** The registry key of this container: the Mesos task id, else {@code CONTAINER_NAME}. */
  public String taskId() {
    String id = get("MESOS_TASK_ID");
    return id != null ? id : get("CONTAINER_NAME");
  }

  /** {@code CONTAINER_HOST_ADDRESS}, else Marathon's {@code HOST}. */
  public String hostAddress() {
    String address = get("CONTAINER_HOST_ADDRESS");
    return address != null ? address : get("HOST");
  }

  public String host(String service, String container) {
    String host = get(mangle(service) + "_" + mangle(container) + "_HOST");
    if (host == null && isSelf(service, container)) host = hostAddress();
    return host;
  }

  /** External (host) port from maestro's {@code <S>_<C>_<P>_PORT}. */
  public Integer externalPort(String service, String container, String port) {
    return parse(get(mangle(service) + "_" + mangle(container) + "_" + mangle(port) + "_PORT"));
  }

  /** Internal (container) port from maestro's {@code <S>_<C>_<P>_INTERNAL_PORT}. */
  public Integer internalPort(String service, String container, String port) {
    return parse(get(mangle(service) + "_" + mangle(container) + "_" + mangle(port) + "_INTERNAL_PORT"));
  }

  /**
   * Marathon's {@code PORT_<NAME>} for this task: the host port, or the container port when the mapping has none. It
   * is also the port to bind under host networking and with {@code ports-hard}.
   */
  public Integer marathonPort(String port) {
    String v = get("PORT_" + port.toUpperCase(Locale.ROOT));
    return parse(v != null ? v : get("PORT_" + mangle(port)));
  }

  /** maestro's {@code <S>_INSTANCES}: instance names, sorted by name. */
  public List<String> instances(String service) {
    String v = get(mangle(service) + "_INSTANCES");
    List<String> names = new ArrayList<>();
    if (v != null) {
      for (String s : v.split(",")) if (!s.isBlank()) names.add(s.trim());
    }
    return names;
  }

  public Integer ordinal() {
    return parse(get("MDO_ORDINAL"));
  }

  public boolean isSelf(String service, String container) {
    return service.equals(serviceName())
        && (container.equals(containerName()) || container.equals(taskId()));
  }

  /** maestro's {@code _to_env_var_name}: {@code re.sub(r'[^\w]', '_', s).upper()}. */
  public static String mangle(String s) {
    return s.replaceAll("[^\\w]", "_").toUpperCase(Locale.ROOT);
  }

  private static Integer parse(String v) {
    if (v == null) return null;
    try {
      return Integer.valueOf(v.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
