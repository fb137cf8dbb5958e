package mdo.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import mdo.registry.EtcdSettings;

/**
 * The {@code etcd:}, {@code marathon:}, {@code mesos:} and {@code subscriber:} sections. The seed's {@code {host, port}}
 * form keeps working next to URLs; credentials missing from the file are taken from the environment ({@code ETCD_USER},
 * {@code ETCD_PASSWORD}, {@code ETCD_CA_FILE}, {@code ETCD_CERT_FILE}, {@code ETCD_KEY_FILE}, {@code MARATHON_USER},
 * {@code MARATHON_PASSWORD}, {@code MARATHON_TOKEN}, {@code MESOS_PRINCIPAL}, {@code MESOS_SECRET},
 * {@code MDO_SUBSCRIBER_TOKEN}, {@code MDO_REGISTRATION_SECRET}). Credentials inside URLs are refused: they would be
 * logged and shown.
 */
final class SettingsReader {
  static final String DEFAULT_MARATHON = "http://127.0.0.1:8080";
  static final String DEFAULT_ETCD = "http://127.0.0.1:2379";

  private static final List<String> ETCD_KEYS =
      List.of("host", "port", "endpoints", "user", "password", "ca-file", "cert-file", "key-file");
  private static final List<String> MARATHON_KEYS =
      List.of("host", "port", "url", "urls", "user", "password", "token", "ca-file", "timeout", "listing-timeout");
  private static final List<String> MESOS_KEYS = List.of("host", "port", "url", "urls", "principal", "secret", "role",
      "framework-name", "user", "failover-timeout", "ca-file", "unreachable-timeout");
  private static final List<String> SUBSCRIBER_KEYS = List.of("host", "port", "url", "token", "registration-secret",
      "events", "resync-interval", "resync-unhealthy-after", "max-delete-fraction", "stream-idle-timeout",
      "callback-allow", "callback-sources");

  private final Path base;
  private final Map<String, String> env;

  SettingsReader(Path base, Map<String, String> env) {
    this.base = base;
    this.env = env;
  }

  EtcdSettings etcd(ConfigNode node) {
    if (!node.expectKeys(ETCD_KEYS)) return null;
    List<URI> endpoints = endpoints(node, "endpoints", DEFAULT_ETCD, 2379, EtcdSettings.CREDENTIALS_IN_URL);
    String user = or(node.get("user").text(), env.get("ETCD_USER"));
    String password = or(node.get("password").text(), env.get("ETCD_PASSWORD"));
    if ((user == null) != (password == null)) {
      node.error("etcd user and password go together (set both, in the file or as ETCD_USER and ETCD_PASSWORD)");
    }
    Path ca = file(node.get("ca-file"), "ETCD_CA_FILE");
    Path cert = file(node.get("cert-file"), "ETCD_CERT_FILE");
    Path key = file(node.get("key-file"), "ETCD_KEY_FILE");
    if ((cert == null) != (key == null)) node.error("cert-file and key-file go together (client certificate)");
    if (endpoints.stream().map(URI::getScheme).distinct().count() > 1) {
      node.error("give all endpoints as http or all as https (one TLS setting serves them all)");
      return null;
    }
    if (endpoints.isEmpty() || (user == null) != (password == null) || (cert == null) != (key == null)) return null;
    EtcdSettings settings = new EtcdSettings(endpoints, user, password, ca, cert, key);
    if (settings.passwordInClear()) {
      (node.has("endpoints") ? node.get("endpoints") : node).warn("the etcd password goes over plain http to " + settings.endpointList() + ", readable by anyone on"
          + " the network path; use https endpoints (with ca-file), or client certificates");
    }
    return settings;
  }

  MarathonSettings marathon(ConfigNode node) {
    if (!node.expectKeys(MARATHON_KEYS)) return null;
    List<URI> urls = endpoints(node, "urls", DEFAULT_MARATHON, 8080, MarathonSettings.CREDENTIALS_IN_URL);
    String user = or(node.get("user").text(), env.get("MARATHON_USER"));
    String password = or(node.get("password").text(), env.get("MARATHON_PASSWORD"));
    String token = or(node.get("token").text(), env.get("MARATHON_TOKEN"));
    boolean ok = !urls.isEmpty();
    if ((user == null) != (password == null)) {
      node.error("Marathon user and password go together (set both, in the file or as MARATHON_USER and"
          + " MARATHON_PASSWORD)");
      ok = false;
    } else if (user != null && token != null) {
      node.error("use either Marathon basic auth (user/password) or a DC/OS token, not both");
      ok = false;
    }
    Path ca = file(node.get("ca-file"), null);
    Duration timeout = positive(node.get("timeout"));
    Duration listingTimeout = positive(node.get("listing-timeout"));
    return ok ? new MarathonSettings(urls, user, password, token, ca, timeout, listingTimeout) : null;
  }

  /** The native framework's {@code mesos:} section; the principal and secret may come from MESOS_PRINCIPAL/MESOS_SECRET. */
  MesosSettings mesos(ConfigNode node) {
    if (!node.expectKeys(MESOS_KEYS)) return null;
    List<URI> masters = endpoints(node, "urls", MesosSettings.DEFAULT_MASTER, 5050, MesosSettings.CREDENTIALS_IN_URL);
    String principal = or(node.get("principal").text(), env.get("MESOS_PRINCIPAL"));
    String secret = or(node.get("secret").text(), env.get("MESOS_SECRET"));
    boolean ok = !masters.isEmpty();
    if (secret != null && principal == null) {
      (node.has("secret") ? node.get("secret") : node).error("a Mesos secret needs a principal (set mesos.principal,"
          + " or MESOS_PRINCIPAL)");
      ok = false;
    }
    ConfigNode roleNode = node.get("role");
    String role = roleNode.text();
    String roleProblem = role == null ? null : MesosRoles.problem(role);
    if (roleProblem != null) {
      roleNode.error(roleProblem);
      ok = false;
    }
    ConfigNode nameNode = node.get("framework-name");
    String name = nameNode.text();
    if (name != null && name.isBlank()) {
      nameNode.error("must not be empty");
      ok = false;
    }
    ConfigNode userNode = node.get("user");
    String user = userNode.text();
    if (user != null && !user.matches("[a-z_][a-z0-9_.-]*\\$?")) {
      userNode.error("expected an OS user name such as 'mdo', got '" + user + "'");
      ok = false;
    }
    Duration failover = positive(node.get("failover-timeout"));
    ConfigNode unreachableNode = node.get("unreachable-timeout");
    Duration unreachable = positive(unreachableNode);
    if (unreachable != null && unreachable.compareTo(Duration.ofSeconds(1)) < 0) {
      unreachableNode.error("must be at least 1s (as Marathon's inactiveAfterSeconds), got " + unreachable.toMillis()
          + "ms");
      ok = false;
    }
    Path ca = file(node.get("ca-file"), null);
    if (!ok) return null;
    MesosSettings settings = new MesosSettings(masters, principal, secret, role, name, user, failover, ca, unreachable);
    if (settings.secretInClear()) {
      (node.has("secret") ? node.get("secret") : node).warn("the Mesos secret goes over plain http to "
          + settings.masters() + ", readable by anyone on the network path; use https masters (with ca-file)");
    }
    return settings;
  }

  SubscriberSettings subscriber(ConfigNode node) {
    if (!node.expectKeys(SUBSCRIBER_KEYS)) return null;
    String host = node.get("host").text();
    Integer port = node.get("port").integer();
    if (port != null && (port < 1 || port > 65535)) node.get("port").error("port " + port + " is out of range 1-65535");
    URI url = null;
    ConfigNode urlNode = node.get("url");
    if (!urlNode.isMissing()) url = httpUrl(urlNode, urlNode.text(), "the subscriber URL must not carry credentials"
        + " (user:password@host): tasks and Marathon get it, and it is logged");
    if (url == null && host != null && (host.equals("0.0.0.0") || host.equals("::"))) {
      node.get("host").warn("binds every interface, so tasks cannot use it as an address; set subscriber.url"
          + " (SUBSCRIBER_URL in every task) to an address they can reach");
    }
    String token = or(node.get("token").text(), env.get("MDO_SUBSCRIBER_TOKEN"));
    String registrationSecret = or(node.get("registration-secret").text(), env.get("MDO_REGISTRATION_SECRET"));
    if (token != null && token.equals(registrationSecret)) {
      node.get("registration-secret").error("must differ from subscriber.token: tasks get tokens derived from it, while"
          + " the token is the operators' alone");
      registrationSecret = null;
    }
    SubscriberSettings.EventSource events = null;
    ConfigNode eventsNode = node.get("events");
    String e = eventsNode.text();
    if (e != null) {
      switch (e.toLowerCase(Locale.ROOT)) {
        case "sse" -> events = SubscriberSettings.EventSource.SSE;
        case "callback" -> events = SubscriberSettings.EventSource.CALLBACK;
        default -> eventsNode.error("expected sse or callback, got '" + e + "'");
      }
    }
    Duration resync = positive(node.get("resync-interval"));
    Duration unhealthyAfter = positive(node.get("resync-unhealthy-after"));
    if (node.has("max-delete-fraction")) {
      node.get("max-delete-fraction").warn("no longer used, remove it: a resync reconciles every app Marathon lists"
          + " against its listed tasks, and deletes the records of an app missing from the listing only once Marathon"
          + " confirms the app is gone");
    }
    Duration idle = positive(node.get("stream-idle-timeout"));
    List<String> allow = node.get("callback-allow").textList();
    List<String> sources = node.get("callback-sources").textList();
    return new SubscriberSettings(host, port == null ? SubscriberSettings.DEFAULT_PORT : port, url, token, events,
        resync, unhealthyAfter, idle, allow, registrationSecret, sources);
  }

  /** {@code host}+{@code port} (seed), {@code url}, or a list under {@code listKey}: exactly one form. */
  private List<URI> endpoints(ConfigNode node, String listKey, String dflt, int defaultPort, String noCredentials) {
    String singleKey = listKey.equals("urls") ? "url" : listKey;
    boolean seed = node.has("host") || node.has("port");
    int forms = (seed ? 1 : 0) + (node.has(listKey) ? 1 : 0) + (!singleKey.equals(listKey) && node.has(singleKey) ? 1 : 0);
    if (forms > 1) {
      node.error("give only one of host/port, " + (singleKey.equals(listKey) ? "" : singleKey + ", ") + listKey);
      return List.of();
    }
    int errorsBefore = node.problems.errors.size();
    List<URI> out = new ArrayList<>();
    if (seed) {
      String host = node.get("host").text("127.0.0.1");
      Integer port = node.get("port").integer();
      int p = port == null ? defaultPort : port;
      if (p < 1 || p > 65535) node.get("port").error("port " + p + " is out of range 1-65535");
      else if (host != null) out.add(URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + p));
    } else if (node.has(listKey) || node.has(singleKey)) {
      for (ConfigNode n : node.get(node.has(listKey) ? listKey : singleKey).list()) {
        String s = n.text();
        if (s == null) continue;
        URI uri = httpUrl(n, s.contains("://") ? s : "http://" + s, noCredentials);
        if (uri != null) out.add(uri);
      }
      if (out.isEmpty() && node.problems.errors.size() == errorsBefore) node.get(listKey).error("the list is empty");
    } else {
      out.add(URI.create(dflt));
    }
    return out;
  }

  /** The URL, or {@code null} after an error; the error never repeats a URL that carries credentials. */
  private static URI httpUrl(ConfigNode node, String s, String noCredentials) {
    if (s == null) return null;
    URI uri = null;
    try {
      uri = new URI(s.trim());
    } catch (Exception ignored) {
      // reported below
    }
    if (uri != null && uri.getRawUserInfo() != null) {
      node.error(noCredentials);
      return null;
    }
    if (uri != null && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
      return uri;
    }
    node.error("expected an http(s)://host:port URL, got '" + (s.contains("@") ? "(not shown: it contains '@')" : s) + "'");
    return null;
  }

  /** A readable file named in the file (relative to it), else in {@code envName} (relative to the working folder). */
  private Path file(ConfigNode node, String envName) {
    String s = node.text();
    if (s == null && envName != null && env.get(envName) != null && !env.get(envName).isBlank()) {
      Path path = Path.of(env.get(envName));
      if (!Files.isReadable(path)) node.error("cannot read file " + path + " (from " + envName + ")");
      return Files.isReadable(path) ? path : null;
    }
    if (s == null) return null;
    Path path = base == null ? Path.of(s) : base.resolve(s);
    if (!Files.isReadable(path)) {
      node.error("cannot read file " + path);
      return null;
    }
    return path;
  }

  private static Duration positive(ConfigNode node) {
    Duration d = node.duration();
    if (d != null && (d.isZero() || d.isNegative())) {
      node.error("must be longer than zero");
      return null;
    }
    return d;
  }

  private static String or(String a, String b) {
    return a != null ? a : b == null || b.isEmpty() ? null : b;
  }
}
