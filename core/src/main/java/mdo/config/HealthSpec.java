package mdo.config;

import java.time.Duration;

/**
 * A service's health check, against one of its named ports.
 *
 * @param port the port name (http, https, tcp); {@code null} for command checks
 * @param path the HTTP path (http, https)
 * @param command the shell command (command checks)
 * @param grace how long after start failures do not count
 * @param delay how long after the task runs the first check waits (Mesos's {@code delay_seconds}, Marathon's
 *     {@code delaySeconds}, which defaults to 15 s when not sent)
 */
public record HealthSpec(
    Protocol protocol,
    String port,
    String path,
    String command,
    Duration grace,
    Duration interval,
    Duration timeout,
    int maxFailures,
    Duration delay) {

  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final int DEFAULT_MAX_FAILURES = 3;
  /**
   * Short, because a deployment waits for the first passing check: most processes bind their port within 2 s, a slower
   * one is checked again after {@code interval}, and {@code grace} keeps those early failures from counting.
   */
  public static final Duration DEFAULT_DELAY = Duration.ofSeconds(2);

  public enum Protocol { HTTP, HTTPS, TCP, COMMAND }
}
