package mdo.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The {@code mesos:} section: how the native framework ({@code backend: mesos}) reaches the Mesos masters and what it
 * subscribes as. {@link #toString()} hides the secret.
 *
 * @param masters base URLs of the masters ({@code http(s)://host:5050}), tried in order; the leader is found by redirect
 * @param principal the framework's principal, and the HTTP basic user when {@code secret} is set; may be null
 * @param role the role the framework subscribes with ({@code *} by default)
 * @param user the OS user tasks run as; null for the user running {@code bin/framework}
 * @param failoverTimeout how long the master keeps the tasks running after every scheduler is gone (default one week)
 * @param caFile PEM file of the CAs that signed the masters' HTTPS certificates; null for the JDK's trust store
 * @param unreachableTimeout how long an instance on an unreachable agent counts before a replacement is launched
 *     (Marathon's {@code unreachableStrategy.inactiveAfterSeconds}, default 5 minutes)
 */
public record MesosSettings(List<URI> masters, String principal, String secret, String role, String frameworkName,
    String user, Duration failoverTimeout, Path caFile, Duration unreachableTimeout) {

  public static final String DEFAULT_MASTER = "http://127.0.0.1:5050";
  public static final String DEFAULT_ROLE = "*";
  public static final String DEFAULT_FRAMEWORK_NAME = "mdo";
  /** Mesos' recommendation for production frameworks ("e.g., 1 week", mesos.proto {@code failover_timeout}). */
  public static final Duration DEFAULT_FAILOVER_TIMEOUT = Duration.ofDays(7);
  /** Marathon's default {@code inactiveAfterSeconds} for ephemeral tasks (RAML {@code UnreachableStrategy}). */
  public static final Duration DEFAULT_UNREACHABLE_TIMEOUT = Duration.ofMinutes(5);

  public static final String CREDENTIALS_IN_URL = "a Mesos master URL must not carry credentials (user:password@host);"
      + " set mesos.principal and mesos.secret (or MESOS_PRINCIPAL/MESOS_SECRET)";

  public MesosSettings {
    Objects.requireNonNull(masters, "masters");
    if (masters.isEmpty()) throw new IllegalArgumentException("at least one Mesos master URL is required");
    masters = List.copyOf(masters);
    for (URI uri : masters) if (uri.getRawUserInfo() != null) throw new IllegalArgumentException(CREDENTIALS_IN_URL);
    if (secret != null && principal == null) throw new IllegalArgumentException("a Mesos secret needs a principal");
    if (role == null) role = DEFAULT_ROLE;
    if (frameworkName == null) frameworkName = DEFAULT_FRAMEWORK_NAME;
    if (failoverTimeout == null) failoverTimeout = DEFAULT_FAILOVER_TIMEOUT;
    if (unreachableTimeout == null) unreachableTimeout = DEFAULT_UNREACHABLE_TIMEOUT;
  }

  /** The defaults: one master on this machine, no credentials. */
  public static MesosSettings defaults() {
    return new MesosSettings(List.of(URI.create(DEFAULT_MASTER)), null, null, null, null, null, null, null, null);
  }

  /** A secret sent as HTTP basic auth to a master over plain http. */
  public boolean secretInClear() {
    return secret != null && masters.stream().anyMatch(u -> "http".equals(u.getScheme()));
  }

  @Override
  public String toString() {
    return "MesosSettings[masters=" + masters + ", role=" + role + ", framework=" + frameworkName
        + (principal == null ? "" : ", principal=" + principal) + (secret == null ? "" : ", secret=***")
        + (user == null ? "" : ", user=" + user) + ", failoverTimeout=" + failoverTimeout
        + (caFile == null ? "" : ", caFile=" + caFile) + ", unreachableTimeout=" + unreachableTimeout + "]";
  }
}
