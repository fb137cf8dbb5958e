package mdo.framework.tasks;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mdo.cluster.Labels;

/**
 * The id of a task mdo launches on Mesos: {@code <environment>_<service>.instance-<uuid>._app.<incarnation>}, for
 * example {@code prod_cassandra.instance-3f2a...-0c1d._app.1}.
 *
 * <p>It is exactly the id Marathon 1.8+ gives a task of app {@code /<environment>/<service>}, so a container, guestutils
 * and every tool that knows Marathon's ids cannot tell the backends apart: the instance id is everything before
 * {@code ._app.}, and a relaunch of the same instance keeps it and counts the incarnation up, which is what the
 * registry writer's {@code TaskObservation.Task} needs to hand the instance's ordinal on. Environment and service names are Marathon id segments (lowercase letters, digits, '-', '.'),
 * never '_', so the first '_' separates them. Mesos allows 255 characters in an id.
 */
public record MesosTaskId(String environment, String service, UUID instance, long incarnation) {
  /** Marathon's id segment rule, which config.yaml applies to environment and service names. */
  private static final String LABEL = "(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])";
  private static final String SEGMENT = LABEL + "(?:\\." + LABEL + ")*";
  private static final Pattern NAME = Pattern.compile(SEGMENT);
  private static final Pattern FORM = Pattern.compile("(" + SEGMENT + ")_(" + SEGMENT + ")\\.instance-"
      + "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\._app\\.([1-9][0-9]{0,17})");
  /** Mesos' NAME_MAX limit on ids (common/validation.cpp). */
  public static final int MAX_LENGTH = 255;

  public MesosTaskId {
    if (environment == null || !NAME.matcher(environment).matches()) {
      throw new IllegalArgumentException("invalid environment name for a task id: '" + environment + "'");
    }
    if (service == null || !NAME.matcher(service).matches()) {
      throw new IllegalArgumentException("invalid service name for a task id: '" + service + "'");
    }
    if (instance == null) throw new IllegalArgumentException("instance uuid is required");
    if (incarnation < 1) throw new IllegalArgumentException("incarnations count from 1, got " + incarnation);
    int length = environment.length() + service.length() + "_.instance-._app.".length() + 36
        + Long.toString(incarnation).length();
    if (length > MAX_LENGTH) {
      throw new IllegalArgumentException("task id for " + environment + "/" + service + " would be " + length
          + " characters; Mesos allows " + MAX_LENGTH);
    }
  }

  /** The first task of a new instance. */
  public static MesosTaskId newInstance(String environment, String service) {
    return new MesosTaskId(environment, service, UUID.randomUUID(), 1);
  }

  /** The task that replaces this one in the same instance (same ordinal in the registry). */
  public MesosTaskId nextIncarnation() {
    return new MesosTaskId(environment, service, instance, incarnation + 1);
  }

  /** Reads a task id of this form; empty for anything else (a task mdo did not launch, or another framework's). */
  public static Optional<MesosTaskId> parse(String taskId) {
    if (taskId == null) return Optional.empty();
    Matcher m = FORM.matcher(taskId);
    if (!m.matches()) return Optional.empty();
    try {
      return Optional.of(new MesosTaskId(m.group(1), m.group(2), UUID.fromString(m.group(3)),
          Long.parseLong(m.group(4))));
    } catch (IllegalArgumentException e) { // over-long: not one of ours
      return Optional.empty();
    }
  }

  /** The deployment id of the service, {@code /<environment>/<service>}, as {@code ServiceDefinition.id()} has it. */
  public String appId() {
    return Labels.appId(environment, service);
  }

  /** {@code <environment>_<service>.instance-<uuid>}: what Marathon calls the instance id. */
  public String instanceId() {
    return environment + "_" + service + ".instance-" + instance;
  }

  public String value() {
    return instanceId() + "._app." + incarnation;
  }

  @Override
  public String toString() {
    return value();
  }
}
