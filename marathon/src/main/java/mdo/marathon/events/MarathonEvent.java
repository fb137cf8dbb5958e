package mdo.marathon.events;

import java.time.Instant;
import java.util.List;

/**
 * A Marathon event, reduced to what the registry needs. Every variant keeps Marathon's {@code eventType} and
 * {@code timestamp} (Marathon's clock; used to ignore duplicate and out-of-order events). Parsed by
 * {@link MarathonEvents#parse}.
 */
public sealed interface MarathonEvent {
  String type();

  Instant timestamp();

  /** The app ids this event concerns; empty when it concerns none. */
  List<String> appIds();

  /** {@code status_update_event}: a task changed state; carries everything a registry record needs. */
  record TaskStatus(String type, Instant timestamp, String appId, String taskId, String instanceId, String taskStatus,
      String host, String agentId, List<Integer> ports, List<String> ipAddresses, String appVersion, String message)
      implements MarathonEvent {
    public TaskStatus {
      ports = List.copyOf(ports);
      ipAddresses = List.copyOf(ipAddresses);
    }

    @Override
    public List<String> appIds() {
      return List.of(appId);
    }
  }

  /** {@code instance_changed_event} and {@code unknown_instance_terminated_event} (1.4+): an instance condition. */
  record InstanceCondition(String type, Instant timestamp, String appId, String instanceId, String condition,
      String agentId, String host, String appVersion) implements MarathonEvent {
    @Override
    public List<String> appIds() {
      return List.of(appId);
    }
  }

  /**
   * Health of one instance: {@code instance_health_changed_event} (1.4+, aggregate; {@code healthy} may be null) or
   * {@code health_status_changed_event} (one Marathon check; {@code taskId} up to 1.3, {@code instanceId} from 1.4).
   */
  record InstanceHealth(String type, Instant timestamp, String appId, String instanceId, String taskId,
      Boolean healthy, String appVersion) implements MarathonEvent {
    @Override
    public List<String> appIds() {
      return List.of(appId);
    }
  }

  /** {@code failed_health_check_event}: one failed check; not a health verdict by itself (maxConsecutiveFailures). */
  record HealthCheckFailed(String type, Instant timestamp, String appId, String instanceId, String taskId)
      implements MarathonEvent {
    @Override
    public List<String> appIds() {
      return List.of(appId);
    }
  }

  /** {@code unhealthy_instance_kill_event} (1.4+) / {@code unhealthy_task_kill_event} (≤1.3): about to be killed. */
  record UnhealthyKill(String type, Instant timestamp, String appId, String taskId, String instanceId, String host,
      String reason) implements MarathonEvent {
    @Override
    public List<String> appIds() {
      return List.of(appId);
    }
  }

  /**
   * The definition or the task set of apps may have changed: {@code api_post_event}, {@code app_terminated_event},
   * {@code deployment_*}. A hint to refetch those apps.
   *
   * @param actions what a deployment step does to which app ({@code currentStep.actions}) where the event says:
   *     {@code deployment_info} (a step starts), {@code deployment_step_success}/{@code _failure} (it ended)
   */
  record AppsChanged(String type, Instant timestamp, List<String> appIds, List<StepAction> actions)
      implements MarathonEvent {
    public AppsChanged {
      appIds = List.copyOf(appIds);
      actions = List.copyOf(actions);
    }
  }

  /** One action of a deployment step, e.g. {@code ScaleApplication} of {@code /prod/web}. */
  record StepAction(String action, String app) {}

  /** Any other event type: counted and skipped. */
  record Other(String type, Instant timestamp) implements MarathonEvent {
    @Override
    public List<String> appIds() {
      return List.of();
    }
  }
}
