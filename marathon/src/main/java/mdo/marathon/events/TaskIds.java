package mdo.marathon.events;

/**
 * Marathon task and instance ids across versions (API.md §1.5). State is keyed by instance id, because since 1.8 a
 * relaunch keeps the instance id and gives the task a new id. The app is never derived from an id: events carry
 * {@code appId}, and segments of the "safe path" may contain dots.
 *
 * <ul>
 *   <li>≤0.6 {@code my-app_0-1396592784349}: the instance id is the task id.
 *   <li>0.7–1.7 {@code <safe>.<uuid>} (or {@code <safe>_<uuid>}: Marathon's {@code LegacyId} takes either separator),
 *       resident {@code <safe>.<uuid>.<attempt>}: instance {@code <safe>.marathon-<uuid>}.
 *   <li>1.4+ pods {@code <safe>.instance-<uuid>.<container>}, 1.8+ {@code <safe>.instance-<uuid>.<container|_app>.<n>}:
 *       instance {@code <safe>.instance-<uuid>}, incarnation n.
 *   <li>A task of 1.7 or earlier relaunched by 1.8+ keeps its instance and gets its old id with a number appended
 *       ({@code Task.Id.nextIncarnationFor}): {@code <safe>.<uuid>} becomes {@code <safe>.<uuid>.1}, then {@code .2};
 *       {@code <safe>.marathon-<uuid>._app} becomes {@code ._app.1}.
 * </ul>
 *
 * <p>{@link #incarnation} is the task's place in its instance's sequence of tasks, the first being 1: a 1.8+ id's
 * number as it is, and one more than the number for the forms whose first task had none ({@code <safe>.<uuid>.<n>} and
 * {@code <safe>.marathon-<uuid>.<container>.<n>}), so that every relaunch, including the first one of a task started
 * before the upgrade to 1.8, counts above 1 and takes over its predecessor's ordinal.
 *
 * <p>Ids are read from their dot-separated tail, because only the last two or three segments have a fixed shape; this
 * runs once per event, so it scans the string instead of using backtracking regexes. The instance ids are those of the
 * patterns {@code ^(.+)\.(instance|marathon)-([^.]+)$}, {@code ^(.+\.(?:instance|marathon)-[^.]+)\.([^.]+)(?:\.(\d+))?$}
 * and {@code ^(.+)[._](<uuid>)(?:\.\d+)?$}, tried in that order, including where the longest safe path wins when an id
 * fits more than one way.
 */
public final class TaskIds {
  private static final int UUID_LENGTH = 36;

  private TaskIds() {}

  /** The instance id of a task id; an instance id is returned unchanged. */
  public static String instanceId(String id) {
    if (id == null || id.isEmpty() || isInstanceId(id)) return id;
    int end = instanceEnd(id);
    if (end > 0) return id.substring(0, end);
    int uuidEnd = legacyUuidEnd(id);
    if (uuidEnd < 0) return id;
    int separator = uuidEnd - UUID_LENGTH - 1;
    return id.substring(0, separator) + ".marathon-" + id.substring(separator + 1, uuidEnd);
  }

  /** True for ids of the instance form ({@code <safe>.instance-<uuid>} or {@code <safe>.marathon-<uuid>}). */
  public static boolean isInstanceId(String id) {
    if (id == null) return false;
    int last = id.lastIndexOf('.');
    return last >= 0 && isInstanceSegment(id, last + 1, id.length()) && safePath(id, last);
  }

  /**
   * The task's place among its instance's tasks (1, 2, ...; see the class comment), or 0 for ids that do not say (or
   * carry a number too long to be one Marathon makes).
   */
  public static long incarnation(String taskId) {
    if (taskId == null || isInstanceId(taskId)) return 0;
    int end = instanceEnd(taskId);
    if (end > 0) {
      int container = taskId.indexOf('.', end + 1);
      if (container < 0) return 0;
      // the marathon- prefix comes from a task id of 1.7 or earlier, whose first task had no number
      boolean numberedLater = taskId.startsWith("marathon-", taskId.lastIndexOf('.', end - 1) + 1);
      return number(taskId, container + 1, numberedLater);
    }
    int uuidEnd = legacyUuidEnd(taskId);
    return uuidEnd > 0 && uuidEnd < taskId.length() ? number(taskId, uuidEnd + 1, true) : 0;
  }

  private static long number(String id, int from, boolean numberedLater) {
    try {
      long n = Long.parseLong(id.substring(from));
      if (!numberedLater) return n;
      return n == Long.MAX_VALUE ? 0 : n + 1;
    } catch (NumberFormatException e) { // 20+ digits: not a number Marathon makes; must not fail the event
      return 0;
    }
  }

  /**
   * Where the uuid ends in {@code <safe>[._]<uuid>} or {@code <safe>[._]<uuid>.<digits>} (Marathon's
   * {@code LegacyTaskIdRegex} and {@code ResidentTaskIdRegex}), or -1 if the id is neither.
   */
  private static int legacyUuidEnd(String id) {
    if (legacyUuidAt(id, id.length())) return id.length();
    int last = id.lastIndexOf('.');
    return last > 0 && isDigits(id, last + 1, id.length()) && legacyUuidAt(id, last) ? last : -1;
  }

  /** True if {@code id[0, end)} is {@code <safe>[._]<uuid>}. */
  private static boolean legacyUuidAt(String id, int end) {
    int separator = end - UUID_LENGTH - 1;
    if (separator < 1 || !isUuid(id, separator + 1, end)) return false;
    char c = id.charAt(separator);
    return (c == '.' || c == '_') && safePath(id, separator);
  }

  /**
   * Where the instance id ends in a pod or 1.8+ task id ({@code <instance>.<container>} or
   * {@code <instance>.<container>.<digits>}), or -1 if the id is neither. The two-segment reading is tried first: it
   * gives the longer safe path.
   */
  private static int instanceEnd(String id) {
    int last = id.lastIndexOf('.');
    if (last < 0) return -1;
    int second = id.lastIndexOf('.', last - 1);
    if (second < 0) return -1;
    if (last + 1 < id.length() && instanceAt(id, second, last)) return last;
    int third = id.lastIndexOf('.', second - 1);
    if (third >= 0 && isDigits(id, last + 1, id.length()) && second + 1 < last && instanceAt(id, third, second)) {
      return second;
    }
    return -1;
  }

  /** True if {@code id[0, end)} is {@code <safe>.<instance segment>} where the safe path ends at {@code dot}. */
  private static boolean instanceAt(String id, int dot, int end) {
    return isInstanceSegment(id, dot + 1, end) && safePath(id, dot);
  }

  /** {@code instance-<x>} or {@code marathon-<x>}, x not empty (the segment holds no dots by construction). */
  private static boolean isInstanceSegment(String id, int from, int to) {
    return to - from > 9 && (id.startsWith("instance-", from) || id.startsWith("marathon-", from));
  }

  /**
   * A non-empty safe path {@code id[0, end)}. The old patterns matched it with {@code .+}, which stops at line breaks;
   * no real id holds one, but an id that does keeps the result it always had.
   */
  private static boolean safePath(String id, int end) {
    if (end <= 0) return false;
    for (int i = 0; i < end; i++) {
      char c = id.charAt(i);
      if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') return false;
    }
    return true;
  }

  private static boolean isDigits(String s, int from, int to) {
    if (from >= to) return false;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') return false;
    }
    return true;
  }

  /** 8-4-4-4-12 hex digits, either case. */
  private static boolean isUuid(String s, int from, int to) {
    if (to - from != UUID_LENGTH) return false;
    for (int i = 0; i < UUID_LENGTH; i++) {
      char c = s.charAt(from + i);
      boolean ok = i == 8 || i == 13 || i == 18 || i == 23
          ? c == '-'
          : c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
      if (!ok) return false;
    }
    return true;
  }
}
