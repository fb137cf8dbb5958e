package mdo.registry.writer;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import mdo.cluster.TaskObservation;
import mdo.cluster.Timestamps;
import mdo.registry.InstanceRecord;

/** The one place observations become instance records, with the registry's rules for health, draining and times. */
final class Records {
  private Records() {}

  static String format(Instant t) {
    return Timestamps.format(t);
  }

  /**
   * How far an observation's time may run ahead of this host's clock. Beyond it, the backend's clock is wrong (a
   * Marathon leader whose clock runs ahead): such times are clamped to now, and a record dated that far ahead is not
   * believed, or it would make every later observation look stale until real time caught up.
   */
  static final Duration CLOCK_MARGIN = Duration.ofSeconds(5);

  /**
   * A record's timestamp; unreadable or missing ones, and those dated more than {@link #CLOCK_MARGIN} ahead, count as
   * the epoch, so any observation supersedes them.
   */
  static Instant parse(String t) {
    try {
      Instant at = t == null ? Instant.EPOCH : Timestamps.parse(t);
      return ahead(at, Instant.now()) ? Instant.EPOCH : at;
    } catch (RuntimeException e) {
      return Instant.EPOCH;
    }
  }

  /** True when {@code time} is further ahead of {@code now} than a clock may be off. */
  static boolean ahead(Instant time, Instant now) {
    return time != null && time.isAfter(now.plus(CLOCK_MARGIN));
  }

  /** The agent cannot be reached: the task may still run, but nobody should count on it. */
  static boolean unreachable(String state) {
    return "TASK_UNREACHABLE".equals(state) || "TASK_LOST".equals(state);
  }

  /**
   * The record of a task as {@code t} shows it, {@code current} being what the registry holds for its key (null for a
   * new one). Health: unreachable tasks are unhealthy; a check result counts; an observation without one keeps the
   * current health, and a new instance of a checked service starts unhealthy. Draining, once marked, stays.
   */
  static InstanceRecord of(TaskObservation.Task t, InstanceRecord current, int ordinal, String timestamp) {
    Boolean healthy = unreachable(t.state()) ? Boolean.FALSE : switch (t.health()) {
      case HEALTHY -> Boolean.TRUE;
      case UNHEALTHY -> Boolean.FALSE;
      case NO_CHECKS -> null;
      case UNKNOWN -> current != null ? current.healthy() : Boolean.FALSE;
    };
    String startedAt = t.startedAt() != null ? t.startedAt()
        : current != null && current.startedAt() != null ? current.startedAt()
        : "TASK_RUNNING".equals(t.state()) && t.time() != null ? format(t.time()) : null;
    return new InstanceRecord(t.service(), t.taskId(), t.instanceId(), ordinal, t.host(), t.ports(), t.labels(),
        t.state(), healthy, (current != null && current.draining()) || t.draining(), t.appId(), t.version(),
        t.agentId(), startedAt, timestamp);
  }

  /** True when two records say the same thing; the event timestamp alone does not make a write. */
  static boolean same(InstanceRecord a, InstanceRecord b) {
    return a != null && b != null
        && a.ordinal() == b.ordinal() && a.draining() == b.draining()
        && Objects.equals(a.service(), b.service()) && Objects.equals(a.taskId(), b.taskId())
        && Objects.equals(a.instanceId(), b.instanceId()) && Objects.equals(a.host(), b.host())
        && Objects.equals(a.ports(), b.ports()) && Objects.equals(a.labels(), b.labels())
        && Objects.equals(a.state(), b.state()) && Objects.equals(a.healthy(), b.healthy())
        && Objects.equals(a.appId(), b.appId()) && Objects.equals(a.appVersion(), b.appVersion())
        && Objects.equals(a.agentId(), b.agentId()) && Objects.equals(a.startedAt(), b.startedAt());
  }

  static InstanceRecord with(InstanceRecord r, Boolean healthy, boolean draining, String timestamp) {
    return new InstanceRecord(r.service(), r.taskId(), r.instanceId(), r.ordinal(), r.host(), r.ports(), r.labels(),
        r.state(), healthy, draining, r.appId(), r.appVersion(), r.agentId(), r.startedAt(), timestamp);
  }
}
