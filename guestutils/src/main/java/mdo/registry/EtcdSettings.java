package mdo.registry;

import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * How to reach etcd: one or more client URLs, optional user/password and TLS. {@link #toString()} never shows the
 * password.
 */
public record EtcdSettings(List<URI> endpoints, String user, String password, Path caFile, Path certFile, Path keyFile) {
  /** Credentials in a URL end up in logs, /health, and every task's ETCD_ENDPOINTS; they have settings of their own. */
  public static final String CREDENTIALS_IN_URL = "an etcd endpoint must not carry credentials (user:password@host);"
      + " set etcd.user and etcd.password (or ETCD_USER/ETCD_PASSWORD)";

  public EtcdSettings {
    Objects.requireNonNull(endpoints, "endpoints");
    if (endpoints.isEmpty()) throw new IllegalArgumentException("at least one etcd endpoint is required");
    for (URI uri : endpoints) {
      if (uri.getRawUserInfo() != null) throw new IllegalArgumentException(CREDENTIALS_IN_URL);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException("etcd endpoint must be http(s)://host:port, got '" + uri + "'");
      }
    }
    endpoints = List.copyOf(endpoints);
    if (endpoints.stream().map(URI::getScheme).distinct().count() > 1) {
      throw new IllegalArgumentException("etcd endpoints must all be http or all https (one TLS setting serves them all)");
    }
    if ((user == null) != (password == null)) throw new IllegalArgumentException("etcd user and password go together");
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException("etcd client certificate and key go together");
    }
  }

  public static EtcdSettings of(String commaSeparatedUrls) {
    return new EtcdSettings(parse(commaSeparatedUrls), null, null, null, null, null);
  }

  /** Parses {@code ETCD_ENDPOINTS}-style lists: comma-separated URLs; a bare {@code host:port} means http. */
  public static List<URI> parse(String commaSeparatedUrls) {
    if (commaSeparatedUrls == null || commaSeparatedUrls.isBlank()) {
      throw new IllegalArgumentException("no etcd endpoints given");
    }
    return Arrays.stream(commaSeparatedUrls.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .map(s -> URI.create(s.contains("://") ? s : "http://" + s))
        .toList();
  }

  /** The {@code ETCD_ENDPOINTS} value the launcher injects into tasks. */
  public String endpointList() {
    return String.join(",", endpoints.stream().map(URI::toString).toList());
  }

  public boolean tls() {
    return endpoints.stream().anyMatch(u -> "https".equals(u.getScheme()));
  }

  /** Whether a password would cross the network unencrypted (user/password over http endpoints). */
  public boolean passwordInClear() {
    return password != null && !tls();
  }

  @Override
  public String toString() {
    return "EtcdSettings[endpoints=" + endpoints + (user == null ? "" : ", user=" + user + ", password=***")
        + (caFile == null ? "" : ", caFile=" + caFile) + (certFile == null ? "" : ", certFile=" + certFile) + "]";
  }
}
