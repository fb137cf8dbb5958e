package mdo.marathon.events;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import mdo.cluster.Timestamps;
import mdo.marathon.events.MarathonEvent.AppsChanged;
import mdo.marathon.events.MarathonEvent.HealthCheckFailed;
import mdo.marathon.events.MarathonEvent.InstanceCondition;
import mdo.marathon.events.MarathonEvent.InstanceHealth;
import mdo.marathon.events.MarathonEvent.Other;
import mdo.marathon.events.MarathonEvent.StepAction;
import mdo.marathon.events.MarathonEvent.TaskStatus;
import mdo.marathon.events.MarathonEvent.UnhealthyKill;

/**
 * Parses Marathon event JSON (the SSE {@code data:} line or an HTTP callback body) of every version listed in
 * API.md §1: old and new task ids, the moving key of {@code failed_health_check_event}, pre-1.4
 * {@code health_status_changed_event}, heavy (≤1.7) and light deployment plans. Unknown types become {@link Other}.
 */
public final class MarathonEvents {
  /** The event types the registry uses: the {@code event_type} filter of the stream. */
  public static final List<String> USED_TYPES = List.of(
      "event_stream_attached", "status_update_event", "instance_changed_event", "unknown_instance_terminated_event",
      "instance_health_changed_event", "health_status_changed_event", "failed_health_check_event",
      "unhealthy_instance_kill_event", "unhealthy_task_kill_event", "api_post_event", "app_terminated_event",
      "deployment_info", "deployment_success", "deployment_failed", "deployment_step_success",
      "deployment_step_failure");

  private static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private MarathonEvents() {}

  public static MarathonEvent parse(String json) {
    JsonNode e;
    try {
      e = JSON.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      throw new MalformedEventException(null, "event is not JSON: " + ex.getOriginalMessage());
    }
    if (e == null || !e.isObject()) throw new MalformedEventException(null, "event is not a JSON object");
    String type = text(e, "eventType");
    if (type == null) throw new MalformedEventException(null, "event has no eventType");
    Instant ts = timestamp(e, type);
    return switch (type) {
      case "status_update_event" -> {
        String taskId = required(e, "taskId", type);
        yield new TaskStatus(type, ts, appId(e, "appId", type), taskId, TaskIds.instanceId(taskId),
            required(e, "taskStatus", type), text(e, "host"), text(e, "slaveId"), ports(e, type), ips(e),
            text(e, "version"), text(e, "message"));
      }
      case "instance_changed_event", "unknown_instance_terminated_event" -> new InstanceCondition(type, ts,
          appId(e, "runSpecId", type), required(e, "instanceId", type), required(e, "condition", type),
          text(e, "agentId"), text(e, "host"), text(e, "runSpecVersion"));
      case "instance_health_changed_event" -> new InstanceHealth(type, ts, appId(e, "runSpecId", type),
          required(e, "instanceId", type), null, bool(e, "healthy"), text(e, "runSpecVersion"));
      case "health_status_changed_event" -> {
        // <= 1.3: taskId; 1.4+: instanceId (API.md §1.2)
        String id = text(e, "instanceId") != null ? text(e, "instanceId") : required(e, "taskId", type);
        yield new InstanceHealth(type, ts, appId(e, "appId", type), TaskIds.instanceId(id),
            TaskIds.isInstanceId(id) ? null : id, bool(e, "alive"), text(e, "version"));
      }
      case "failed_health_check_event" -> {
        // <= 1.3 taskId (a task id); 1.4.x instanceId; 1.5+ taskId holding an instance id
        String id = text(e, "instanceId") != null ? text(e, "instanceId") : required(e, "taskId", type);
        yield new HealthCheckFailed(type, ts, appId(e, "appId", type), TaskIds.instanceId(id),
            TaskIds.isInstanceId(id) ? null : id);
      }
      case "unhealthy_instance_kill_event", "unhealthy_task_kill_event" -> {
        String taskId = text(e, "taskId");
        String instanceId = text(e, "instanceId") != null ? text(e, "instanceId") : TaskIds.instanceId(taskId);
        if (instanceId == null) throw new MalformedEventException(type, type + " has neither taskId nor instanceId");
        yield new UnhealthyKill(type, ts, appId(e, "appId", type), taskId, instanceId, text(e, "host"),
            text(e, "reason"));
      }
      case "api_post_event" ->
          new AppsChanged(type, ts, List.of(appId(e.path("appDefinition"), "id", type)), List.of());
      case "app_terminated_event" -> new AppsChanged(type, ts, List.of(appId(e, "appId", type)), List.of());
      case "deployment_success", "deployment_failed", "deployment_info", "deployment_step_success",
          "deployment_step_failure" -> new AppsChanged(type, ts, deploymentApps(e), stepActions(e));
      default -> new Other(type, ts);
    };
  }

  /**
   * App ids named by a deployment event, from the light plan ({@code steps[].actions[].app}), the heavy 1.4 docs shape
   * ({@code steps[].app}), {@code currentStep.actions[].app} and {@code plan.target.apps[].id}.
   */
  static List<String> deploymentApps(JsonNode e) {
    Set<String> apps = new LinkedHashSet<>();
    JsonNode plan = e.path("plan");
    for (JsonNode step : plan.path("steps")) {
      addApp(apps, step.path("app"));
      for (JsonNode action : step.path("actions")) addApp(apps, action.path("app"));
    }
    for (JsonNode action : e.path("currentStep").path("actions")) addApp(apps, action.path("app"));
    for (JsonNode app : plan.path("target").path("apps")) addApp(apps, app.path("id"));
    return new ArrayList<>(apps);
  }

  /** {@code currentStep.actions}: {@code action} since 1.2, {@code type} in the older docs' examples. */
  static List<StepAction> stepActions(JsonNode e) {
    List<StepAction> actions = new ArrayList<>();
    for (JsonNode a : e.path("currentStep").path("actions")) {
      String action = a.hasNonNull("action") ? a.path("action").asText() : a.path("type").asText(null);
      JsonNode app = a.path("app");
      if (action != null && app.isTextual() && app.asText().startsWith("/")) {
        actions.add(new StepAction(action, app.asText()));
      }
    }
    return actions;
  }

  private static void addApp(Set<String> apps, JsonNode id) {
    if (id.isTextual() && id.asText().startsWith("/")) apps.add(id.asText());
  }

  private static Instant timestamp(JsonNode e, String type) {
    String ts = required(e, "timestamp", type);
    try {
      return Timestamps.parse(ts);
    } catch (DateTimeParseException ex) {
      throw new MalformedEventException(type, type + " has an unreadable timestamp '" + ts + "'");
    }
  }

  private static String appId(JsonNode e, String field, String type) {
    String id = required(e, field, type);
    if (!id.startsWith("/")) throw new MalformedEventException(type, type + "." + field + " is not an absolute app id: " + id);
    return id;
  }

  private static List<Integer> ports(JsonNode e, String type) {
    List<Integer> ports = new ArrayList<>();
    for (JsonNode p : e.path("ports")) {
      if (!p.canConvertToInt() || p.asInt() < 0 || p.asInt() > 65535) {
        throw new MalformedEventException(type, type + ".ports holds a non-port value: " + p);
      }
      ports.add(p.asInt());
    }
    return ports;
  }

  private static List<String> ips(JsonNode e) {
    List<String> ips = new ArrayList<>();
    for (JsonNode ip : e.path("ipAddresses")) {
      String address = ip.path("ipAddress").asText("");
      if (!address.isEmpty()) ips.add(address);
    }
    return ips;
  }

  private static String required(JsonNode e, String field, String type) {
    String value = text(e, field);
    if (value == null || value.isEmpty()) throw new MalformedEventException(type, type + " lacks '" + field + "'");
    return value;
  }

  private static String text(JsonNode e, String field) {
    JsonNode v = e.get(field);
    return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
  }

  private static Boolean bool(JsonNode e, String field) {
    JsonNode v = e.get(field);
    return v == null || !v.isBoolean() ? null : v.asBoolean();
  }
}
