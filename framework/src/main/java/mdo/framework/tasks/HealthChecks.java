package mdo.framework.tasks;

import java.util.List;
import mdo.cluster.ServiceDefinition;
import mdo.config.HealthSpec;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.HealthCheck;

/**
 * A service's health check as a Mesos {@code HealthCheck}, run by the agent next to the task (the same checks the
 * Marathon backend asks for as MESOS_HTTP/MESOS_TCP/COMMAND). HTTP and TCP checks probe 127.0.0.1 in the task's
 * network namespace, so they target the port the task listens on: the container port under bridge networking, the
 * host port otherwise (API.md §1.9). {@code delay_seconds} is the check's {@code delay}, as mdo sends Marathon.
 */
final class HealthChecks {
  private HealthChecks() {}

  static HealthCheck of(ServiceDefinition service, HealthSpec health, List<Integer> hostPorts) {
    HealthCheck.Builder check = HealthCheck.newBuilder()
        .setGracePeriodSeconds(seconds(health.grace()))
        .setIntervalSeconds(seconds(health.interval()))
        .setTimeoutSeconds(seconds(health.timeout()))
        .setConsecutiveFailures(health.maxFailures())
        .setDelaySeconds(seconds(health.delay()));
    if (health.protocol() == HealthSpec.Protocol.COMMAND) {
      return check.setType(HealthCheck.Type.COMMAND)
          .setCommand(CommandInfo.newBuilder().setShell(true).setValue(health.command())).build();
    }
    int index = service.portIndex(health.port());
    if (index < 0) throw new IllegalArgumentException("health check port '" + health.port() + "' is not a port of "
        + service.service());
    int port = TaskInfoBuilder.bridged(service) ? service.ports().get(index).containerPort() : hostPorts.get(index);
    return switch (health.protocol()) {
      case HTTP, HTTPS -> check.setType(HealthCheck.Type.HTTP).setHttp(HealthCheck.HTTPCheckInfo.newBuilder()
          .setScheme(health.protocol() == HealthSpec.Protocol.HTTPS ? "https" : "http")
          .setPort(port)
          .setPath(health.path() == null ? "/" : health.path())).build();
      case TCP -> check.setType(HealthCheck.Type.TCP).setTcp(HealthCheck.TCPCheckInfo.newBuilder().setPort(port)).build();
      case COMMAND -> throw new IllegalStateException("handled above");
    };
  }

  private static double seconds(java.time.Duration d) {
    return d.toMillis() / 1000.0;
  }
}
