package mdo.marathon.events;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Marathon task and instance ids across versions (API.md §1.5). State is keyed by instance id, because since 1.8 a
 * relaunch keeps the instance id and gives the task a new id. The app is never derived from an id: events carry
 * {@code appId}, and segments of the "safe path" may contain dots.
 *
 * <ul>
 *   <li>≤0.6 {@code my-app_0-1396592784349}: the instance id is the task id.
 *   <li>0.7–1.7 {@code <safe>.<uuid>}, resident {@code <safe>.<uuid>.<attempt>}: instance {@code <safe>.marathon-<uuid>}.
 *   <li>1.4+ pods {@code <safe>.instance-<uuid>.<container>}, 1.8+ {@code <safe>.instance-<uuid>.<container|_app>.<n>}:
 *       instance {@code <safe>.instance-<uuid>}, incarnation n.
 * </ul>
 */
public final class TaskIds {
  private static final String UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
  private static final Pattern INSTANCE = Pattern.compile("^(.+)\\.(instance|marathon)-([^.]+)$");
  private static final Pattern INSTANCE_TASK = Pattern.compile("^(.+\\.(?:instance|marathon)-[^.]+)\\.([^.]+)(?:\\.(\\d+))?$");
  private static final Pattern LEGACY_TASK = Pattern.compile("^(.+)\\.(" + UUID + ")(?:\\.\\d+)?$");

  private TaskIds() {}

  /** The instance id of a task id; an instance id is returned unchanged. */
  public static String instanceId(String id) {
    if (id == null || id.isEmpty()) return id;
    if (INSTANCE.matcher(id).matches()) return id;
    Matcher m = INSTANCE_TASK.matcher(id);
    if (m.matches()) return m.group(1);
    m = LEGACY_TASK.matcher(id);
    if (m.matches()) return m.group(1) + ".marathon-" + m.group(2);
    return id;
  }

  /** True for ids of the instance form ({@code <safe>.instance-<uuid>} or {@code <safe>.marathon-<uuid>}). */
  public static boolean isInstanceId(String id) {
    return id != null && INSTANCE.matcher(id).matches();
  }

  /** The 1.8+ incarnation (1, 2, ...), or 0 for ids without one. */
  public static long incarnation(String taskId) {
    if (taskId == null || INSTANCE.matcher(taskId).matches()) return 0;
    Matcher m = INSTANCE_TASK.matcher(taskId);
    return m.matches() && m.group(3) != null ? Long.parseLong(m.group(3)) : 0;
  }
}
