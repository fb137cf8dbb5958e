package mdo.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads and validates config.yaml. Every problem in the file is reported at once, each with file, line and field;
 * nothing half-valid is ever returned. Secrets may come from the environment instead of the file:
 * {@code MARATHON_USER}, {@code MARATHON_PASSWORD}, {@code MARATHON_TOKEN}, {@code ETCD_USER}, {@code ETCD_PASSWORD},
 * {@code ETCD_CA_FILE}, {@code ETCD_CERT_FILE}, {@code ETCD_KEY_FILE}, {@code MESOS_PRINCIPAL}, {@code MESOS_SECRET},
 * {@code MDO_SUBSCRIBER_TOKEN}, {@code MDO_REGISTRATION_SECRET}.
 */
public final class ConfigLoader {
  /** A Marathon path segment (API.md §3.1): lowercase letters, digits, '-' and '.', no '-' at a label's ends. */
  static final Pattern ID_SEGMENT =
      Pattern.compile("(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])");
  private static final List<String> RESERVED_IDS = List.of("restart", "tasks", "versions");
  private static final List<String> TOP_KEYS = List.of("environment", "backend", "etcd", "marathon", "mesos", "subscriber",
      "services");

  private ConfigLoader() {}

  public static MdoConfig load(Path file) {
    return load(file, System.getenv());
  }

  public static MdoConfig load(Path file, Map<String, String> env) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file, 0, "", "no such file (give --config FILE or set MDO_CONFIG; "
          + "config.yaml.example at the repository root is a documented starting point)");
    } catch (IOException e) {
      throw new ConfigException(file, 0, "", "cannot read: " + e.getMessage());
    }
    return parse(file, text, env);
  }

  /** Validates {@code text} as if it were the content of {@code file} (relative paths resolve against its folder). */
  public static MdoConfig parse(Path file, String text, Map<String, String> env) {
    YamlDocument doc = YamlDocument.parse(file, text);
    Problems problems = new Problems(file);
    ConfigNode root = ConfigNode.root(doc, problems);
    if (root.isMissing() || root.value.isMissingNode()) {
      throw new ConfigException(file, 0, "", "the file is empty; see config.yaml.example");
    }
    if (!root.expectKeys(TOP_KEYS)) problems.throwIfAny();

    ConfigNode envNode = root.get("environment");
    String environment = envNode.text(MdoConfig.DEFAULT_ENVIRONMENT);
    checkId(envNode, environment, "environment name");

    ConfigNode backendNode = root.get("backend");
    String backend = backendNode.text(MdoConfig.BACKENDS.get(0));
    if (backend != null && !MdoConfig.BACKENDS.contains(backend)) {
      backendNode.error("unknown backend '" + backend + "'" + Suggest.closest(backend, MdoConfig.BACKENDS)
          .map(s -> " (did you mean " + s + "?)").orElse("") + "; mdo knows " + MdoConfig.BACKENDS);
    }

    Path base = file.toAbsolutePath().getParent();
    SettingsReader settings = new SettingsReader(base, env);
    var etcd = settings.etcd(root.get("etcd"));
    var marathon = settings.marathon(root.get("marathon"));
    var mesos = settings.mesos(root.get("mesos"));
    var subscriber = settings.subscriber(root.get("subscriber"));

    ConfigNode servicesNode = root.get("services");
    Map<String, ServiceSpec> services = new LinkedHashMap<>();
    servicesNode.entries().forEach((name, node) -> {
      checkId(node, name, "service name");
      ServiceSpec spec = ServiceReader.read(name, node);
      if (spec != null) services.put(name, spec);
      if (subscriber != null) refuseSubscriberSecrets(node.get("environment"), subscriber);
    });
    problems.throwIfAny();
    return new MdoConfig(file, environment, backend, etcd, marathon, mesos, subscriber, services, servicesNode.line(),
        problems.warnings);
  }

  /**
   * A task's environment is readable by whoever reads Marathon's app JSON, and by the task: the subscriber's admin token
   * and registration secret must never be in it (tasks get their service's registration token instead).
   */
  private static void refuseSubscriberSecrets(ConfigNode environment, SubscriberSettings subscriber) {
    if (environment.value == null || !environment.value.isObject()) return;
    environment.entries().forEach((name, node) -> {
      String value = node.value != null && node.value.isValueNode() ? node.value.asText() : null;
      if (value == null) return;
      if (value.equals(subscriber.token())) {
        node.error("holds the subscriber's admin token (subscriber.token), which no task may get; remove it: with"
            + " subscriber.registration-secret set, every task gets its service's MDO_REGISTRATION_TOKEN");
      } else if (value.equals(subscriber.registrationSecret())) {
        node.error("holds subscriber.registration-secret, which no task may get; remove it: every task gets its"
            + " service's MDO_REGISTRATION_TOKEN, derived from it");
      }
    });
  }

  private static void checkId(ConfigNode node, String id, String what) {
    if (id == null) return;
    if (!ID_SEGMENT.matcher(id).matches()) {
      node.error("invalid " + what + " '" + id + "': Marathon allows only lowercase letters, digits, '-' and '.'"
          + " (no '-' at the start or end)" + (id.equals(id.toLowerCase()) ? "" : "; try '" + id.toLowerCase() + "'"));
    } else if (RESERVED_IDS.contains(id)) {
      node.error("invalid " + what + " '" + id + "': Marathon reserves " + RESERVED_IDS);
    }
  }
}
