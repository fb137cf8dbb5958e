package mdo.devcluster.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import mdo.devcluster.Json;

/**
 * Builders for the events of API.md §1.2, with the fields in Marathon's serialization order
 * ({@code Events.scala@HEAD}, {@code Formats.scala@HEAD}). Every builder stamps {@code timestamp} now.
 */
public final class Events {
  private Events() {}

  private static ObjectNode finish(ObjectNode event, String type) {
    event.put("eventType", type);
    event.put("timestamp", Json.timestamp(Instant.now()));
    return event;
  }

  public static ObjectNode apiPost(String clientIp, String uri, JsonNode appDefinition) {
    ObjectNode e = Json.object();
    e.put("clientIp", clientIp);
    e.put("uri", uri);
    e.set("appDefinition", appDefinition);
    return finish(e, "api_post_event");
  }

  /** The fields a status update and an instance change share, taken from one task. */
  public record TaskStatus(String slaveId, String taskId, String instanceId, String state, String condition,
                           String message, String appId, String host, List<String> ipAddresses, List<Integer> ports,
                           String version) {
    public TaskStatus withCondition(String newCondition) {
      return new TaskStatus(slaveId, taskId, instanceId, state, newCondition, message, appId, host, ipAddresses, ports,
          version);
    }
  }

  public static ObjectNode statusUpdate(TaskStatus s) {
    ObjectNode e = Json.object();
    e.put("slaveId", s.slaveId());
    e.put("taskId", s.taskId());
    e.put("taskStatus", s.state());
    e.put("message", s.message());
    e.put("appId", s.appId());
    e.put("host", s.host());
    ArrayNode ips = e.putArray("ipAddresses");
    for (String ip : s.ipAddresses()) {
      ips.addObject().put("ipAddress", ip).put("protocol", ip.contains(":") ? "IPv6" : "IPv4");
    }
    ArrayNode ports = e.putArray("ports");
    s.ports().forEach(ports::add);
    e.put("version", s.version());
    return finish(e, "status_update_event");
  }

  /**
   * {@code instance_changed_event}: note the order, {@code timestamp} before {@code eventType}; {@code agentId} and
   * {@code host} are null while the instance is not placed.
   */
  public static ObjectNode instanceChanged(TaskStatus s) {
    ObjectNode e = Json.object();
    e.put("instanceId", s.instanceId());
    e.put("condition", s.condition());
    e.put("runSpecId", s.appId());
    e.put("agentId", s.slaveId());
    e.put("host", s.host());
    e.put("runSpecVersion", s.version());
    e.put("timestamp", Json.timestamp(Instant.now()));
    e.put("eventType", "instance_changed_event");
    return e;
  }

  /** @param healthy true, false or null (unknown) */
  public static ObjectNode instanceHealthChanged(String instanceId, String appId, Boolean healthy, String version) {
    ObjectNode e = Json.object();
    e.put("instanceId", instanceId);
    e.put("runSpecId", appId);
    if (healthy == null) {
      e.putNull("healthy");
    } else {
      e.put("healthy", healthy);
    }
    e.put("runSpecVersion", version);
    e.put("timestamp", Json.timestamp(Instant.now()));
    e.put("eventType", "instance_health_changed_event");
    return e;
  }

  public static ObjectNode healthStatusChanged(String appId, String instanceId, String version, boolean alive) {
    ObjectNode e = Json.object();
    e.put("appId", appId);
    e.put("instanceId", instanceId);
    e.put("version", version);
    e.put("alive", alive);
    return finish(e, "health_status_changed_event");
  }

  /**
   * The instance id sits under {@code instanceId} in 1.4 ({@code Json.writes[FailedHealthCheck]}) and under
   * {@code taskId} from 1.5 ({@code Formats.scala}).
   */
  public static ObjectNode failedHealthCheck(String appId, ObjectNode healthCheck, String instanceId,
                                             boolean instanceIdKey) {
    ObjectNode e = Json.object();
    e.put("appId", appId);
    e.put("eventType", "failed_health_check_event");
    e.set("healthCheck", healthCheck);
    e.put(instanceIdKey ? "instanceId" : "taskId", instanceId);
    e.put("timestamp", Json.timestamp(Instant.now()));
    return e;
  }

  /** {@code timestamp} is the time of the last failure, as in Marathon. */
  public static ObjectNode unhealthyInstanceKill(String appId, String taskId, String instanceId, String version,
                                                 String reason, String host, String slaveId, Instant lastFailure) {
    ObjectNode e = Json.object();
    e.put("appId", appId);
    e.put("taskId", taskId);
    e.put("instanceId", instanceId);
    e.put("version", version);
    e.put("reason", reason);
    e.put("host", host);
    e.put("slaveId", slaveId);
    e.put("eventType", "unhealthy_instance_kill_event");
    e.put("timestamp", Json.timestamp(lastFailure));
    return e;
  }

  public static ObjectNode appTerminated(String appId) {
    ObjectNode e = Json.object();
    e.put("appId", appId);
    return finish(e, "app_terminated_event");
  }

  /** @param groupId the group the change was made in: the parent of the app ({@code GroupManager.updateApp}) */
  public static ObjectNode groupChangeSuccess(String groupId, String version) {
    ObjectNode e = Json.object();
    e.put("groupId", groupId);
    e.put("version", version);
    return finish(e, "group_change_success");
  }

  /** A refused root-group update ({@code GroupManagerImpl}), e.g. too many running deployments. */
  public static ObjectNode groupChangeFailed(String groupId, String version, String reason) {
    ObjectNode e = Json.object();
    e.put("groupId", groupId);
    e.put("version", version);
    e.put("reason", reason);
    return finish(e, "group_change_failed");
  }

  public static ObjectNode deploymentInfo(ObjectNode plan, ObjectNode currentStep) {
    ObjectNode e = Json.object();
    e.set("plan", plan);
    e.set("currentStep", currentStep);
    return finish(e, "deployment_info");
  }

  public static ObjectNode deploymentStepSuccess(ObjectNode plan, ObjectNode currentStep) {
    ObjectNode e = Json.object();
    e.set("plan", plan);
    e.set("currentStep", currentStep);
    return finish(e, "deployment_step_success");
  }

  public static ObjectNode deploymentSuccess(String id, ObjectNode plan) {
    ObjectNode e = Json.object();
    e.put("id", id);
    e.set("plan", plan);
    return finish(e, "deployment_success");
  }

  public static ObjectNode deploymentFailed(String id, ObjectNode plan, String reason) {
    ObjectNode e = Json.object();
    e.put("id", id);
    e.set("plan", plan);
    finish(e, "deployment_failed");
    e.put("reason", reason);
    return e;
  }

  public static ObjectNode streamAttached(String remoteAddress) {
    return finish(Json.object().put("remoteAddress", remoteAddress), "event_stream_attached");
  }

  public static ObjectNode streamDetached(String remoteAddress) {
    return finish(Json.object().put("remoteAddress", remoteAddress), "event_stream_detached");
  }

  public static ObjectNode subscription(String type, String clientIp, String callbackUrl) {
    ObjectNode e = Json.object();
    e.put("callbackUrl", callbackUrl);
    e.put("clientIp", clientIp);
    return finish(e, type);
  }
}
