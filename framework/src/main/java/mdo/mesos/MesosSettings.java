package mdo.mesos;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * How the scheduler reaches the Mesos masters and what it subscribes as. {@link #toString()} hides the secret.
 *
 * @param masters base URLs ({@code http(s)://host:5050}, a path prefix allowed for proxies), tried in order; the
 *     scheduler endpoint is {@code <url>/api/v1/scheduler}. Credentials go only to these hosts.
 * @param principal {@code FrameworkInfo.principal}, and the HTTP basic user when {@code secret} is set
 * @param role the one role the framework subscribes with (MULTI_ROLE, {@code roles: [role]})
 * @param user the OS user tasks run as ({@code FrameworkInfo.user}, required on the HTTP API)
 * @param failoverTimeout how long the master keeps our tasks after the stream breaks; 0 would kill them at once
 * @param caFile PEM bundle to trust for {@code https} masters, else the JDK's trust store
 * @param requestTimeout bounds each call and the wait for the first event of a subscription
 * @param missedHeartbeats silent heartbeat intervals after which the stream counts as dead (API.md §1.3)
 * @param backoffMin first delay before re-subscribing after a failed attempt, doubling up to {@code backoffMax}
 * @param hostname {@code FrameworkInfo.hostname} shown in the Mesos UI; null to leave unset
 */
public record MesosSettings(
    List<URI> masters,
    String principal,
    String secret,
    String role,
    String frameworkName,
    String user,
    Duration failoverTimeout,
    Path caFile,
    WireFormat wireFormat,
    Duration requestTimeout,
    int missedHeartbeats,
    Duration backoffMin,
    Duration backoffMax,
    String hostname) {

  /** Mesos' own recommendation ("e.g., 1 week", mesos.proto FrameworkInfo.failover_timeout). */
  public static final Duration DEFAULT_FAILOVER_TIMEOUT = Duration.ofDays(7);
  public static final String DEFAULT_ROLE = "*";
  public static final String DEFAULT_FRAMEWORK_NAME = "mdo";
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MISSED_HEARTBEATS = 5;
  public static final Duration DEFAULT_BACKOFF_MIN = Duration.ofSeconds(1);
  public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(15);

  public MesosSettings {
    Objects.requireNonNull(masters, "masters");
    if (masters.isEmpty()) throw new IllegalArgumentException("at least one Mesos master URL is required");
    masters = masters.stream().map(MesosSettings::withoutTrailingSlash).toList();
    for (URI uri : masters) {
      boolean web = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
      if (!web || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
        throw new IllegalArgumentException("Mesos master URL must be http(s)://host:port[/path], got '" + uri + "'");
      }
    }
    if (secret != null && principal == null) throw new IllegalArgumentException("a Mesos secret needs a principal");
    if (role == null) role = DEFAULT_ROLE;
    if (role.isBlank()) throw new IllegalArgumentException("the Mesos role must not be blank");
    if (frameworkName == null) frameworkName = DEFAULT_FRAMEWORK_NAME;
    if (user == null) user = System.getProperty("user.name");
    if (user == null || user.isBlank()) throw new IllegalArgumentException("the Mesos user (tasks run as) is required");
    if (failoverTimeout == null) failoverTimeout = DEFAULT_FAILOVER_TIMEOUT;
    if (failoverTimeout.isNegative() || failoverTimeout.isZero()) {
      throw new IllegalArgumentException("the Mesos failover timeout must be positive (0 makes the master kill every task"
          + " as soon as the scheduler disconnects), got " + failoverTimeout);
    }
    if (wireFormat == null) wireFormat = WireFormat.PROTOBUF;
    if (requestTimeout == null) requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    if (missedHeartbeats == 0) missedHeartbeats = DEFAULT_MISSED_HEARTBEATS;
    if (missedHeartbeats < 1) throw new IllegalArgumentException("missedHeartbeats must be positive");
    if (backoffMin == null) backoffMin = DEFAULT_BACKOFF_MIN;
    if (backoffMax == null) backoffMax = DEFAULT_BACKOFF_MAX;
    if (backoffMin.isNegative() || backoffMin.isZero() || backoffMax.compareTo(backoffMin) < 0) {
      throw new IllegalArgumentException("backoff needs 0 < min <= max, got " + backoffMin + ", " + backoffMax);
    }
  }

  /** Defaults for everything but the masters. */
  public static MesosSettings of(String... masters) {
    return new MesosSettings(Arrays.stream(masters).map(URI::create).toList(), null, null, null, null, null, null,
        null, null, null, 0, null, null, null);
  }

  public MesosSettings withCredentials(String principal, String secret) {
    return new MesosSettings(masters, principal, secret, role, frameworkName, user, failoverTimeout, caFile, wireFormat,
        requestTimeout, missedHeartbeats, backoffMin, backoffMax, hostname);
  }

  public MesosSettings withCaFile(Path caFile) {
    return new MesosSettings(masters, principal, secret, role, frameworkName, user, failoverTimeout, caFile, wireFormat,
        requestTimeout, missedHeartbeats, backoffMin, backoffMax, hostname);
  }

  public MesosSettings withWireFormat(WireFormat wireFormat) {
    return new MesosSettings(masters, principal, secret, role, frameworkName, user, failoverTimeout, caFile, wireFormat,
        requestTimeout, missedHeartbeats, backoffMin, backoffMax, hostname);
  }

  public MesosSettings withTimeouts(Duration requestTimeout, Duration backoffMin, Duration backoffMax) {
    return new MesosSettings(masters, principal, secret, role, frameworkName, user, failoverTimeout, caFile, wireFormat,
        requestTimeout, missedHeartbeats, backoffMin, backoffMax, hostname);
  }

  public boolean authenticates() {
    return secret != null;
  }

  private static URI withoutTrailingSlash(URI uri) {
    String s = uri.toString();
    return s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : uri;
  }

  @Override
  public String toString() {
    return "MesosSettings[masters=" + masters + ", role=" + role + ", framework=" + frameworkName + ", user=" + user
        + (principal == null ? "" : ", principal=" + principal) + (secret == null ? "" : ", secret=***")
        + ", failoverTimeout=" + failoverTimeout + (caFile == null ? "" : ", caFile=" + caFile)
        + ", wire=" + wireFormat + "]";
  }
}
