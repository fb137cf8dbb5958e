package mdo.guestutils;

import java.nio.file.Path;
import java.time.Duration;
import mdo.registry.EtcdSettings;

/**
 * Where guestutils finds etcd and the subscriber. etcd: {@code --etcd}, else {@code ETCD_ENDPOINTS} (comma-separated
 * URLs), else the seed's {@code ETCD_HOST_ADDRESS} ({@code host[:port]}, port 2379 when absent); credentials from
 * {@code ETCD_USER}/{@code ETCD_PASSWORD}, TLS from {@code ETCD_CA_FILE}, {@code ETCD_CERT_FILE}, {@code ETCD_KEY_FILE}.
 * The subscriber: {@code --subscriber}, else {@code SUBSCRIBER_URL}; the token sent to it: an operator's
 * {@code MDO_TOKEN} (the subscriber's admin token), else the task's {@code MDO_REGISTRATION_TOKEN} (its service's).
 *
 * @param etcd {@code null} when nothing names etcd: then every answer comes from the environment
 */
public record GuestConfig(String environment, EtcdSettings etcd, Duration etcdTimeout, String subscriberUrl, String token) {
  public static final Duration DEFAULT_ETCD_TIMEOUT = Duration.ofSeconds(2);

  public static GuestConfig from(GuestEnv env, String etcdOverride) {
    return from(env, etcdOverride, null, null);
  }

  public static GuestConfig from(GuestEnv env, String etcdOverride, String subscriberOverride, Duration timeout) {
    String endpoints = etcdOverride != null ? etcdOverride : env.get("ETCD_ENDPOINTS");
    if (endpoints == null && env.get("ETCD_HOST_ADDRESS") != null) endpoints = withPort(env.get("ETCD_HOST_ADDRESS"));
    EtcdSettings etcd = null;
    if (endpoints != null) {
      etcd = new EtcdSettings(EtcdSettings.parse(endpoints), env.get("ETCD_USER"),
          env.get("ETCD_USER") == null ? null : env.get("ETCD_PASSWORD"),
          path(env.get("ETCD_CA_FILE")), path(env.get("ETCD_CERT_FILE")), path(env.get("ETCD_KEY_FILE")));
    }
    String subscriber = subscriberOverride != null ? subscriberOverride : env.get("SUBSCRIBER_URL");
    String token = env.get("MDO_TOKEN") != null ? env.get("MDO_TOKEN") : env.get("MDO_REGISTRATION_TOKEN");
    return new GuestConfig(env.environmentName(), etcd, timeout == null ? DEFAULT_ETCD_TIMEOUT : timeout, subscriber,
        token);
  }

  /** A one-shot reader: the JSON gateway, or jetcd when etcd wants a client certificate. {@code null} without etcd. */
  public RegistryReader reader() {
    if (etcd == null) return null;
    if (etcd.certFile() != null) return new JetcdReader(mdo.registry.Etcd.client(etcd), environment, etcdTimeout, true);
    return new GatewayReader(environment, etcd, etcdTimeout);
  }

  /** The seed's {@code ETCD_HOST_ADDRESS}: {@code host}, {@code host:port}, {@code [v6]:port} or a bare IPv6 address. */
  static String withPort(String hostPort) {
    if (hostPort.contains("://")) return hostPort;
    if (hostPort.startsWith("[")) return hostPort.contains("]:") ? hostPort : hostPort + ":2379";
    int colons = hostPort.length() - hostPort.replace(":", "").length();
    if (colons == 1) return hostPort;
    return colons == 0 ? hostPort + ":2379" : "[" + hostPort + "]:2379";
  }

  private static Path path(String s) {
    return s == null ? null : Path.of(s);
  }

  @Override
  public String toString() {
    return "GuestConfig[environment=" + environment + ", etcd=" + etcd + ", subscriber=" + subscriberUrl
        + (token == null ? "" : ", token=***") + "]";
  }
}
