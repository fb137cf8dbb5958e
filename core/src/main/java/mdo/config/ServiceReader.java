package mdo.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import mdo.config.ServiceSpec.MarathonFormat;
import mdo.config.ServiceSpec.Network;
import mdo.cluster.Labels;

/** Reads one entry of {@code services:}; records problems on the node and returns {@code null} if there were any. */
final class ServiceReader {
  private static final List<String> KEYS = List.of("image", "cmd", "args", "ports", "ports-hard", "instances",
      "cpus", "cpu", "mem", "environment", "labels", "constraints", "volumes", "health", "network",
      "marathon-format", "upgrade-strategy");
  private static final List<String> HEALTH_KEYS =
      List.of("protocol", "port", "path", "command", "grace", "interval", "timeout", "max-failures", "delay");
  private static final List<String> STRATEGY_KEYS = List.of("minimum-health-capacity", "maximum-over-capacity");
  private static final List<String> VOLUME_KEYS = List.of("container", "host", "mode");
  private static final List<String> OPERATORS = List.of("UNIQUE", "CLUSTER", "GROUP_BY", "LIKE", "UNLIKE", "MAX_PER", "IS");
  private static final List<String> NEED_VALUE = List.of("LIKE", "UNLIKE", "MAX_PER", "IS");
  /** What Marathon's IS accepts: a Mesos text or scalar value ({@code SchedulingValidationMessages}). */
  private static final Pattern MESOS_TEXT = Pattern.compile("[a-zA-Z0-9_/.-]*");
  /** Marathon port names are DNS labels; they also become {@code PORT_<NAME>} variables. */
  private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
  private static final Pattern PORT_VALUE = Pattern.compile("(\\d+)\\s*/\\s*(tcp|udp)");

  private ServiceReader() {}

  static ServiceSpec read(String name, ConfigNode node) {
    int errorsBefore = node.problems.errors.size();
    if (node.isMissing()) {
      node.error("the service has no settings; give at least image or cmd");
      return null;
    }
    if (!node.expectKeys(KEYS)) return null;

    String image = node.get("image").text();
    String cmd = node.get("cmd").text();
    if (cmd != null && cmd.length() < 2) {
      // AppValidation (1.5+): "must not be an empty string", for any cmd shorter than two characters
      node.get("cmd").error("Marathon refuses a cmd shorter than two characters, got '" + cmd + "'");
    }
    List<String> args = node.has("args") ? node.get("args").textList() : null;
    if (cmd != null && args != null) node.get("args").error("give cmd or args, not both");
    if (image == null && cmd == null && args == null) node.error("give an image, a cmd, or both");

    List<PortSpec> ports = new ArrayList<>();
    Set<String> portNames = new HashSet<>();
    readPorts(node.get("ports"), false, ports, portNames);
    readPorts(node.get("ports-hard"), true, ports, portNames);

    ConfigNode instancesNode = node.get("instances");
    Integer instances = instancesNode.integer();
    if (instances != null && instances < 0) instancesNode.error("must be 0 or more, got " + instances);

    ConfigNode cpusNode = node.get("cpus");
    if (node.has("cpu")) {
      if (node.has("cpus")) node.get("cpu").error("give cpus only (cpu is the seed's old spelling)");
      else node.get("cpu").warn("'cpu' is deprecated, write 'cpus'");
      cpusNode = node.has("cpus") ? cpusNode : node.get("cpu");
    }
    Double cpus = cpusNode.number();
    if (cpus != null && cpus < 0.001) cpusNode.error("must be at least 0.001, got " + cpus);
    ConfigNode memNode = node.get("mem");
    Double mem = memNode.number();
    if (mem != null && mem <= 0) memNode.error("must be more than 0 (MB), got " + mem);

    Map<String, String> environment = node.get("environment").textMap();
    ConfigNode labelsNode = node.get("labels");
    Map<String, String> labels = labelsNode.textMap();
    for (String reserved : List.of(Labels.SERVICE, Labels.ENVIRONMENT)) {
      if (labels.containsKey(reserved)) labelsNode.get(reserved).error(reserved + " is set by mdo itself");
    }

    Network network = network(node.get("network"), image);
    boolean someHard = ports.stream().anyMatch(PortSpec::hard);
    if (network == Network.HOST && someHard && !ports.stream().allMatch(PortSpec::hard)) mixedHostPorts(node, ports);
    MarathonFormat format = format(node.get("marathon-format"));
    List<List<String>> constraints = constraints(node.get("constraints"));
    List<VolumeSpec> volumes = volumes(node.get("volumes"), image);
    HealthSpec health = HealthReader.read(node.get("health"), ports);

    if (node.problems.errors.size() > errorsBefore) return null;
    ServiceSpec spec = new ServiceSpec(name, image, cmd, args, ports,
        instances == null ? ServiceSpec.DEFAULT_INSTANCES : instances,
        cpus == null ? ServiceSpec.DEFAULT_CPUS : cpus,
        mem == null ? ServiceSpec.DEFAULT_MEM : mem,
        environment, labels, constraints, volumes, health, network, format, null);
    ConfigNode strategyNode = node.get("upgrade-strategy");
    UpgradeStrategy strategy = upgradeStrategy(strategyNode, spec.defaultUpgradeStrategy());
    if (node.problems.errors.size() > errorsBefore) return null;
    if (strategy != null && spec.hasHardPorts() && strategy.waitsForAFreeHost(spec.instances())) {
      strategyNode.warn("with ports-hard each instance needs a host of its own, and minimum-health-capacity "
          + strategy.minimumHealthCapacity() + " keeps all " + spec.instances() + " old instance(s) until new ones are"
          + " healthy: a rolling upgrade waits forever unless the cluster has hosts without one; mdo's default is "
          + describe(UpgradeStrategy.forFixedHostPorts(spec.instances())));
    }
    return strategy == null ? spec : new ServiceSpec(name, image, cmd, args, ports, spec.instances(), spec.cpus(),
        spec.mem(), environment, labels, constraints, volumes, health, network, format, strategy);
  }

  /**
   * Marathon applies {@code requirePorts} to every port of a host-networking app, and gives each {@code port: 0} a
   * service port of 10000-20000 that the task then needs as its host port, which agents do not offer (Mesos's default
   * range is 31000-32000): such a task never launches. Fixed and free host ports mix only with bridge networking.
   */
  private static void mixedHostPorts(ConfigNode node, List<PortSpec> ports) {
    List<String> free = ports.stream().filter(p -> !p.hard()).map(PortSpec::name).toList();
    node.get("ports").error("with host networking Marathon cannot give " + free + " a free host port next to the"
        + " fixed ones of ports-hard (requirePorts fixes every port of the app, and the free ones would need ports of"
        + " 10000-20000 that agents do not offer); move them to ports-hard with a port of their own, or use network:"
        + " bridge (needs an image)");
  }

  private static UpgradeStrategy upgradeStrategy(ConfigNode node, UpgradeStrategy defaults) {
    if (node.isMissing() || !node.expectKeys(STRATEGY_KEYS)) return null;
    if (!node.value.isObject()) {
      node.error("expected {minimum-health-capacity: 0.5, maximum-over-capacity: 0}");
      return null;
    }
    Double health = fraction(node.get("minimum-health-capacity"));
    Double over = fraction(node.get("maximum-over-capacity"));
    if (health == null && node.has("minimum-health-capacity") || over == null && node.has("maximum-over-capacity")) {
      return null;
    }
    return new UpgradeStrategy(health == null ? defaults.minimumHealthCapacity() : health,
        over == null ? defaults.maximumOverCapacity() : over);
  }

  /** A number from 0 to 1, or null (with an error when one was given). */
  private static Double fraction(ConfigNode node) {
    Double d = node.number();
    if (d != null && !(d >= 0 && d <= 1)) {
      node.error("must be from 0 to 1 (a share of the instances), got " + d);
      return null;
    }
    return d;
  }

  private static String describe(UpgradeStrategy s) {
    return "{minimum-health-capacity: " + s.minimumHealthCapacity() + ", maximum-over-capacity: "
        + s.maximumOverCapacity() + "}";
  }

  private static void readPorts(ConfigNode node, boolean hard, List<PortSpec> ports, Set<String> names) {
    node.entries().forEach((portName, p) -> {
      if (!PORT_NAME.matcher(portName).matches()) {
        p.error("invalid port name '" + portName + "': use lowercase letters, digits and '-'");
      }
      if (!names.add(portName)) p.error("duplicate port name '" + portName + "' (port names must be unique across ports and ports-hard)");
      String protocol = "tcp";
      Integer number = null;
      if (p.value != null && p.value.isTextual()) {
        Matcher m = PORT_VALUE.matcher(p.value.asText().trim());
        if (m.matches()) {
          number = Integer.parseInt(m.group(1));
          protocol = m.group(2);
        } else {
          p.error("expected a port number such as 9042 or 8125/udp, got '" + p.value.asText() + "'");
          return;
        }
      } else {
        number = p.integer();
      }
      if (number == null) {
        if (p.isMissing()) p.error("has no port number");
        return;
      }
      int min = hard ? 1 : 0;
      if (number < min || number > 65535) {
        p.error("port " + number + " is out of range " + min + "-65535");
        return;
      }
      ports.add(new PortSpec(portName, number, hard, protocol));
    });
  }

  private static Network network(ConfigNode node, String image) {
    String s = node.text();
    if (s == null) return image == null ? Network.HOST : Network.BRIDGE;
    switch (s.toLowerCase(Locale.ROOT)) {
      case "host":
        return Network.HOST;
      case "bridge":
        if (image == null) node.error("bridge networking needs a Docker image; a command-only service uses host");
        return Network.BRIDGE;
      default:
        node.error("expected bridge or host, got '" + s + "'");
        return Network.BRIDGE;
    }
  }

  private static MarathonFormat format(ConfigNode node) {
    String s = node.text();
    if (s == null) return MarathonFormat.V1_5;
    for (MarathonFormat f : MarathonFormat.values()) if (f.label.equals(s)) return f;
    node.error("expected \"1.5\" (Marathon 1.5 and later) or \"1.4\" (Marathon 1.4 and earlier), got '" + s + "'");
    return MarathonFormat.V1_5;
  }

  /** {@code [[hostname, UNIQUE]]} or {@code ["hostname:UNIQUE", "rack:LIKE:r1"]}. */
  private static List<List<String>> constraints(ConfigNode node) {
    List<List<String>> out = new ArrayList<>();
    for (ConfigNode c : node.list()) {
      List<String> parts;
      if (c.value != null && c.value.isTextual()) parts = List.of(c.value.asText().split(":", 3));
      else parts = c.textList();
      if (parts.size() < 2 || parts.size() > 3) {
        c.error("expected [field, OPERATOR] or [field, OPERATOR, value], e.g. [hostname, UNIQUE] or \"hostname:UNIQUE\"");
        continue;
      }
      String operator = parts.get(1).toUpperCase(Locale.ROOT);
      if (!OPERATORS.contains(operator)) {
        String hint = Suggest.closest(operator, OPERATORS).map(s -> " (did you mean " + s + "?)").orElse("");
        c.error("unknown constraint operator '" + parts.get(1) + "'" + hint + "; Marathon knows " + OPERATORS);
        continue;
      }
      if (parts.get(0).isEmpty()) c.error("the constraint names no field, e.g. [hostname, " + operator + "]");
      if (NEED_VALUE.contains(operator) && parts.size() < 3) {
        c.error(operator + " needs a value: [field, " + operator + ", value]");
      } else if (parts.size() == 3) {
        String problem = valueProblem(operator, parts.get(2));
        if (problem != null) c.error(problem);
      }
      List<String> constraint = new ArrayList<>(parts);
      constraint.set(1, operator);
      out.add(constraint);
    }
    return out;
  }

  /** What Marathon's {@code SchedulingValidation} says of this operator's value, or null when it accepts it. */
  private static String valueProblem(String operator, String value) {
    switch (operator) {
      case "UNIQUE":
        return "UNIQUE takes no value: [field, UNIQUE]";
      case "MAX_PER":
        return isInt(value) ? null
            : "MAX_PER needs a whole number (at most that many instances per value), got '" + value + "'";
      case "GROUP_BY":
        return isInt(value) ? null : "GROUP_BY takes a whole number (how many values to spread over) or no value, got '"
            + value + "'";
      case "LIKE":
      case "UNLIKE":
        try {
          Pattern.compile(value);
          return null;
        } catch (PatternSyntaxException e) {
          return operator + " needs a valid regular expression: " + e.getDescription() + " in '" + value + "'";
        }
      case "IS":
        return MESOS_TEXT.matcher(value).matches() ? null
            : "IS compares with a Mesos text value: letters, digits and _ / . - only, got '" + value + "'";
      default:
        return null;
    }
  }

  /** As Marathon reads it ({@code value.toInt}). */
  private static boolean isInt(String value) {
    try {
      Integer.parseInt(value);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static List<VolumeSpec> volumes(ConfigNode node, String image) {
    List<VolumeSpec> out = new ArrayList<>();
    List<ConfigNode> items = node.list();
    if (!items.isEmpty() && image == null) node.error("volumes need a Docker image (a command-only service has no container)");
    for (ConfigNode v : items) {
      if (!v.expectKeys(VOLUME_KEYS)) continue;
      String container = v.get("container").text();
      String host = v.get("host").text();
      String mode = v.get("mode").text("RW").toUpperCase(Locale.ROOT);
      if (container == null || !container.startsWith("/")) v.get("container").error("expected an absolute path inside the container");
      if (host == null) v.get("host").error("expected the host path to mount");
      if (!mode.equals("RO") && !mode.equals("RW")) v.get("mode").error("expected RO or RW, got '" + mode + "'");
      if (container != null && host != null) out.add(new VolumeSpec(container, host, mode));
    }
    return out;
  }

  /** The {@code health:} section, checked against the service's port names. */
  static final class HealthReader {
    private HealthReader() {}

    static HealthSpec read(ConfigNode node, List<PortSpec> ports) {
      if (node.isMissing()) return null;
      if (!node.expectKeys(HEALTH_KEYS)) return null;
      ConfigNode protocolNode = node.get("protocol");
      String p = protocolNode.text(node.has("command") ? "command" : "http").toUpperCase(Locale.ROOT);
      HealthSpec.Protocol protocol;
      try {
        protocol = HealthSpec.Protocol.valueOf(p);
      } catch (IllegalArgumentException e) {
        protocolNode.error("expected http, https, tcp or command, got '" + p.toLowerCase(Locale.ROOT) + "'");
        return null;
      }
      String port = null;
      String path = null;
      String command = node.get("command").text();
      if (protocol == HealthSpec.Protocol.COMMAND) {
        if (command == null) node.error("a command check needs command: '<shell command>'");
        if (node.has("port") || node.has("path")) node.error("a command check takes no port or path");
      } else {
        if (command != null) node.get("command").error("command is only for protocol: command");
        ConfigNode portNode = node.get("port");
        port = portNode.text();
        List<String> names = ports.stream().map(PortSpec::name).toList();
        if (port == null && names.size() == 1) port = names.get(0);
        if (port == null) {
          node.error(names.isEmpty() ? "a " + p.toLowerCase(Locale.ROOT) + " check needs a port, and the service has none"
              : "which port? give port: one of " + names);
        } else if (!names.contains(port)) {
          String hint = Suggest.closest(port, names).map(s -> " (did you mean '" + s + "'?)").orElse("");
          portNode.error("no port named '" + port + "' in ports or ports-hard" + hint + "; known: " + names);
        }
        if (protocol == HealthSpec.Protocol.TCP) {
          if (node.has("path")) node.get("path").error("a tcp check takes no path");
        } else {
          path = node.get("path").text("/");
          if (!path.startsWith("/")) node.get("path").error("expected a path starting with '/', got '" + path + "'");
        }
      }
      var grace = node.get("grace").duration();
      var interval = node.get("interval").duration();
      var timeout = node.get("timeout").duration();
      var delay = node.get("delay").duration();
      ConfigNode failuresNode = node.get("max-failures");
      Integer failures = failuresNode.integer();
      if (failures != null && failures < 1) failuresNode.error("must be 1 or more, got " + failures);
      if (interval != null && interval.toSeconds() < 1) node.get("interval").error("must be at least 1s (Marathon counts whole seconds)");
      if (timeout != null && timeout.toSeconds() < 1) node.get("timeout").error("must be at least 1s (Marathon counts whole seconds)");
      return new HealthSpec(protocol, port, path, command,
          grace == null ? HealthSpec.DEFAULT_GRACE : grace,
          interval == null ? HealthSpec.DEFAULT_INTERVAL : interval,
          timeout == null ? HealthSpec.DEFAULT_TIMEOUT : timeout,
          failures == null ? HealthSpec.DEFAULT_MAX_FAILURES : failures,
          delay == null ? HealthSpec.DEFAULT_DELAY : delay);
    }
  }
}
