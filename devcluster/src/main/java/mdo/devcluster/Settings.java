package mdo.devcluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a dev cluster runs. {@link #defaults(Path)} gives the values {@code bin/devcluster up} uses; tests shorten the
 * periods.
 *
 * @param host address the API binds to (loopback by default)
 * @param port API port; 0 picks a free one
 * @param stateDir where task logs, pid files and etcd data go
 * @param portRangeStart first host port handed to {@code hostPort: 0} / {@code port: 0}
 * @param portRangeEnd last host port of that range (inclusive)
 * @param taskHost the host name tasks report and get in {@code HOST}
 * @param heartbeat period of the blank-line SSE heartbeat (Marathon/Jetty: 10 s)
 * @param defaultKillGrace SIGTERM-to-SIGKILL grace when an app has no {@code taskKillGracePeriodSeconds}
 * @param callbackTimeout how long an event callback POST may take before the subscriber counts as slow
 * @param credentials {@code user:password} for HTTP basic auth on every path, or null for none
 * @param containerEngines the container CLIs to try for image tasks, in order (the first whose engine answers runs them)
 */
public record Settings(
    String host,
    int port,
    Path stateDir,
    int portRangeStart,
    int portRangeEnd,
    String taskHost,
    Duration heartbeat,
    Duration defaultKillGrace,
    Duration callbackTimeout,
    String credentials,
    List<String> containerEngines) {

  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_RANGE_START = 31000;
  public static final int DEFAULT_RANGE_END = 32000;

  public Settings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(stateDir, "stateDir");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, got " + port);
    if (portRangeStart < 1 || portRangeEnd > 65535 || portRangeStart > portRangeEnd) {
      throw new IllegalArgumentException("port range must be within 1..65535 and not empty, got "
          + portRangeStart + "-" + portRangeEnd);
    }
    containerEngines = List.copyOf(containerEngines);
    if (credentials != null && !credentials.contains(":")) {
      throw new IllegalArgumentException("credentials must look like user:password");
    }
  }

  public static Settings defaults(Path stateDir) {
    return new Settings("127.0.0.1", DEFAULT_PORT, stateDir, DEFAULT_RANGE_START, DEFAULT_RANGE_END, "127.0.0.1",
        Duration.ofSeconds(10), Duration.ofSeconds(3), Duration.ofSeconds(10), null, List.of("docker", "podman"));
  }

  public Settings withPort(int newPort) {
    return new Settings(host, newPort, stateDir, portRangeStart, portRangeEnd, taskHost, heartbeat, defaultKillGrace,
        callbackTimeout, credentials, containerEngines);
  }

  public Settings withHost(String newHost) {
    return new Settings(newHost, port, stateDir, portRangeStart, portRangeEnd, taskHost, heartbeat, defaultKillGrace,
        callbackTimeout, credentials, containerEngines);
  }

  public Settings withPortRange(int start, int end) {
    return new Settings(host, port, stateDir, start, end, taskHost, heartbeat, defaultKillGrace, callbackTimeout,
        credentials, containerEngines);
  }

  public Settings withHeartbeat(Duration period) {
    return new Settings(host, port, stateDir, portRangeStart, portRangeEnd, taskHost, period, defaultKillGrace,
        callbackTimeout, credentials, containerEngines);
  }

  public Settings withDefaultKillGrace(Duration grace) {
    return new Settings(host, port, stateDir, portRangeStart, portRangeEnd, taskHost, heartbeat, grace,
        callbackTimeout, credentials, containerEngines);
  }

  public Settings withCallbackTimeout(Duration timeout) {
    return new Settings(host, port, stateDir, portRangeStart, portRangeEnd, taskHost, heartbeat, defaultKillGrace,
        timeout, credentials, containerEngines);
  }

  public Settings withCredentials(String userColonPassword) {
    return new Settings(host, port, stateDir, portRangeStart, portRangeEnd, taskHost, heartbeat, defaultKillGrace,
        callbackTimeout, userColonPassword, containerEngines);
  }

  public Settings withContainerEngines(List<String> clis) {
    return new Settings(host, port, stateDir, portRangeStart, portRangeEnd, taskHost, heartbeat, defaultKillGrace,
        callbackTimeout, credentials, clis);
  }
}
