package mdo.marathon;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A task from {@code /v2/tasks} or {@code /v2/apps/{id}/tasks} (API.md §4.5); unknown fields are ignored. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MarathonTask(
    String id,
    String appId,
    String host,
    List<Integer> ports,
    List<Integer> servicePorts,
    String slaveId,
    String state,
    String stagedAt,
    String startedAt,
    String version,
    List<IpAddress> ipAddresses,
    List<HealthCheckResult> healthCheckResults) {

  public MarathonTask {
    ports = ports == null ? List.of() : List.copyOf(ports);
    servicePorts = servicePorts == null ? List.of() : List.copyOf(servicePorts);
    ipAddresses = ipAddresses == null ? List.of() : List.copyOf(ipAddresses);
    healthCheckResults = healthCheckResults == null ? List.of() : List.copyOf(healthCheckResults);
  }

  /** {@code null} when the app has no health check results for this task. */
  public Boolean healthy() {
    if (healthCheckResults.isEmpty()) return null;
    return healthCheckResults.stream().allMatch(HealthCheckResult::alive);
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record IpAddress(String ipAddress, String protocol) {}

  /** The key of the id was {@code taskId} up to Marathon 1.3 and {@code instanceId} from 1.4. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record HealthCheckResult(
      boolean alive,
      int consecutiveFailures,
      String firstSuccess,
      String lastSuccess,
      String lastFailure,
      @JsonProperty("instanceId") String instanceId,
      @JsonProperty("taskId") String taskId) {}
}
