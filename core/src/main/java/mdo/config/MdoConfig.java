package mdo.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdo.registry.EtcdSettings;

/**
 * A validated config.yaml.
 *
 * @param environment the mdo environment name: Marathon app ids are {@code /<environment>/<service>}
 * @param backend the cluster backend launcher and updater deploy to: one of {@link #BACKENDS}
 * @param mesos the native framework's settings ({@code backend: mesos}); defaults when the section is absent
 * @param services in file order
 * @param servicesLine line of the {@code services:} key, for "unknown service" errors
 * @param warnings deprecated spellings that were accepted ({@code cpu:}), as {@code file:line: field: text}
 */
public record MdoConfig(
    Path file,
    String environment,
    String backend,
    EtcdSettings etcd,
    MarathonSettings marathon,
    MesosSettings mesos,
    SubscriberSettings subscriber,
    Map<String, ServiceSpec> services,
    int servicesLine,
    List<String> warnings) {

  public static final String DEFAULT_ENVIRONMENT = "default";
  /** The cluster backends config.yaml may name; the first is the default. */
  public static final List<String> BACKENDS = List.of("marathon", "mesos");

  public MdoConfig {
    services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
    warnings = List.copyOf(warnings);
  }

  /** The same config deploying to another backend ({@code --backend}): one of {@link #BACKENDS}. */
  public MdoConfig withBackend(String name) {
    if (!BACKENDS.contains(name)) throw new IllegalArgumentException("unknown backend '" + name + "'; mdo knows " + BACKENDS);
    return new MdoConfig(file, environment, name, etcd, marathon, mesos, subscriber, services, servicesLine, warnings);
  }

  /** The named service, or a {@link ConfigException} that lists the known ones and suggests the closest. */
  public ServiceSpec service(String name) {
    ServiceSpec spec = services.get(name);
    if (spec != null) return spec;
    String hint = Suggest.closest(name, services.keySet()).map(s -> " Did you mean '" + s + "'?").orElse("");
    String known = services.isEmpty() ? "none are defined" : "defined: " + String.join(", ", services.keySet());
    throw new ConfigException(file, servicesLine, "services", "no service '" + name + "' (" + known + ")." + hint);
  }
}
