package mdo.marathon;

/**
 * One port of an app, in declaration order (index-aligned with {@code PORT0..n}). For host networking
 * ({@code portDefinitions}) there is no container side: {@code containerPort} is 0 and the task's host port is used.
 *
 * @param hostPort the requested host port; 0 means "allocate one"
 */
public record AppPort(String name, int containerPort, int hostPort, String protocol) {
  public AppPort {
    if (protocol == null || protocol.isBlank()) protocol = "tcp";
  }

  /** Marathon lists a host port in a task's {@code ports} only for mappings that have one (API.md, trip-up #3). */
  public boolean hasHostPort(boolean hostNetworking) {
    return hostNetworking || hostPort >= 0;
  }
}
