package mdo.config;

import java.time.Duration;

/**
 * A service's health check, against one of its named ports.
 *
 * @param port the port name (http, https, tcp); {@code null} for command checks
 * @param path the HTTP path (http, https)
 * @param command the shell command (command checks)
 * @param grace how long after start failures do not count
 */
public record HealthSpec(
    Protocol protocol,
    String port,
    String path,
    String command,
    Duration grace,
    Duration interval,
    Duration timeout,
    int maxFailures) {

  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final int DEFAULT_MAX_FAILURES = 3;

  public enum Protocol { HTTP, HTTPS, TCP, COMMAND }
}
