package mdo.devcluster;

import java.net.URI;
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
 * @param agentPorts the agent's {@code ports} resource: dynamic host ports come from here, and a task needing a fixed
 *     host port outside it never launches (Mesos default 31000-32000)
 * @param taskHost the host name tasks report and get in {@code HOST}
 * @param heartbeat period of the blank-line SSE heartbeat (Marathon/Jetty: 10 s)
 * @param defaultKillGrace SIGTERM-to-SIGKILL grace when an app has no {@code taskKillGracePeriodSeconds}
 * @param callbackTimeout how long an event callback POST may take before the subscriber counts as slow
 * @param credentials {@code user:password} for HTTP basic auth on every path, or null for none
 * @param containerEngines the container CLIs to try for image tasks, in order: the first whose engine answers runs them
 * @param marathon the Marathon release and start-up flags to behave as
 * @param standbyOf the leader's URL when this node is a standby (it then runs nothing and proxies), else null
 * @param leaderSessionTimeout how long a standby keeps naming an unreachable leader before it has none (Marathon's
 *     {@code --zk_session_timeout}, 10 s)
 */
public record Settings(
    String host,
    int port,
    Path stateDir,
    PortRanges agentPorts,
    String taskHost,
    Duration heartbeat,
    Duration defaultKillGrace,
    Duration callbackTimeout,
    String credentials,
    List<String> containerEngines,
    MarathonFlags marathon,
    URI standbyOf,
    Duration leaderSessionTimeout) {

  public static final int DEFAULT_PORT = 8080;

  public Settings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(agentPorts, "agentPorts");
    Objects.requireNonNull(marathon, "marathon");
    containerEngines = List.copyOf(containerEngines);
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, got " + port);
    if (credentials != null && !credentials.contains(":")) {
      throw new IllegalArgumentException("credentials must look like user:password");
    }
    if (standbyOf != null && !"http".equals(standbyOf.getScheme()) && !"https".equals(standbyOf.getScheme())) {
      throw new IllegalArgumentException("the leader must be an http(s) URL like http://127.0.0.1:8080, got "
          + standbyOf);
    }
  }

  public static Settings defaults(Path stateDir) {
    return new Settings("127.0.0.1", DEFAULT_PORT, stateDir, PortRanges.MESOS_DEFAULT, "127.0.0.1",
        Duration.ofSeconds(10), Duration.ofSeconds(3), Duration.ofSeconds(10), null, List.of("docker", "podman"),
        MarathonFlags.defaults(MarathonVersion.DEFAULT), null, Duration.ofSeconds(10));
  }

  /** True when this node proxies to a leader instead of running apps. */
  public boolean standby() {
    return standbyOf != null;
  }

  public Settings withPort(int newPort) {
    return new Settings(host, newPort, stateDir, agentPorts, taskHost, heartbeat, defaultKillGrace, callbackTimeout,
        credentials, containerEngines, marathon, standbyOf, leaderSessionTimeout);
  }

  public Settings withHost(String newHost) {
    return new Settings(newHost, port, stateDir, agentPorts, taskHost, heartbeat, defaultKillGrace, callbackTimeout,
        credentials, containerEngines, marathon, standbyOf, leaderSessionTimeout);
  }

  public Settings withAgentPorts(PortRanges ranges) {
    return new Settings(host, port, stateDir, ranges, taskHost, heartbeat, defaultKillGrace, callbackTimeout,
        credentials, containerEngines, marathon, standbyOf, leaderSessionTimeout);
  }

  public Settings withPortRange(int start, int end) {
    return withAgentPorts(PortRanges.of(start, end));
  }

  public Settings withHeartbeat(Duration period) {
    return new Settings(host, port, stateDir, agentPorts, taskHost, period, defaultKillGrace, callbackTimeout,
        credentials, containerEngines, marathon, standbyOf, leaderSessionTimeout);
  }

  public Settings withDefaultKillGrace(Duration grace) {
    return new Settings(host, port, stateDir, agentPorts, taskHost, heartbeat, grace, callbackTimeout,
        credentials, containerEngines, marathon, standbyOf, leaderSessionTimeout);
  }

  public Settings withCallbackTimeout(Duration timeout) {
    return new Settings(host, port, stateDir, agentPorts, taskHost, heartbeat, defaultKillGrace, timeout,
        credentials, containerEngines, marathon, standbyOf, leaderSessionTimeout);
  }

  public Settings withCredentials(String userColonPassword) {
    return new Settings(host, port, stateDir, agentPorts, taskHost, heartbeat, defaultKillGrace, callbackTimeout,
        userColonPassword, containerEngines, marathon, standbyOf, leaderSessionTimeout);
  }

  public Settings withContainerEngines(List<String> clis) {
    return new Settings(host, port, stateDir, agentPorts, taskHost, heartbeat, defaultKillGrace, callbackTimeout,
        credentials, clis, marathon, standbyOf, leaderSessionTimeout);
  }

  public Settings withMarathon(MarathonFlags flags) {
    return new Settings(host, port, stateDir, agentPorts, taskHost, heartbeat, defaultKillGrace, callbackTimeout,
        credentials, containerEngines, flags, standbyOf, leaderSessionTimeout);
  }

  public Settings withStandbyOf(URI leader, Duration sessionTimeout) {
    return new Settings(host, port, stateDir, agentPorts, taskHost, heartbeat, defaultKillGrace, callbackTimeout,
        credentials, containerEngines, marathon, leader, sessionTimeout);
  }
}
