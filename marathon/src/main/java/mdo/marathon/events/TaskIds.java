package mdo.marathon.events;

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
 *
 * <p>Ids are read from their dot-separated tail, because only the last two or three segments have a fixed shape; this
 * runs once per event, so it scans the string instead of using backtracking regexes. The results are those of the
 * patterns {@code ^(.+)\.(instance|marathon)-([^.]+)$}, {@code ^(.+\.(?:instance|marathon)-[^.]+)\.([^.]+)(?:\.(\d+))?$}
 * and {@code ^(.+)\.(<uuid>)(?:\.\d+)?$}, tried in that order, including where the longest safe path wins when an id
 * fits more than one way.
 */
public final class TaskIds {
  private TaskIds() {}

  /** The instance id of a task id; an instance id is returned unchanged. */
  public static String instanceId(String id) {
    if (id == null || id.isEmpty() || isInstanceId(id)) return id;
    int end = instanceEnd(id);
    if (end > 0) return id.substring(0, end);
    int last = id.lastIndexOf('.');
    if (last < 0) return id;
    // <safe>.<uuid>
    if (isUuid(id, last + 1, id.length()) && safePath(id, last)) return legacyInstance(id, last, id.length());
    // <safe>.<uuid>.<attempt>
    int before = id.lastIndexOf('.', last - 1);
    if (before >= 0 && isDigits(id, last + 1, id.length()) && isUuid(id, before + 1, last) && safePath(id, before)) {
      return legacyInstance(id, before, last);
    }
    return id;
  }

  /** True for ids of the instance form ({@code <safe>.instance-<uuid>} or {@code <safe>.marathon-<uuid>}). */
  public static boolean isInstanceId(String id) {
    if (id == null) return false;
    int last = id.lastIndexOf('.');
    return last >= 0 && isInstanceSegment(id, last + 1, id.length()) && safePath(id, last);
  }

  /** The 1.8+ incarnation (1, 2, ...), or 0 for ids without one (or with one too long to be a number). */
  public static long incarnation(String taskId) {
    if (taskId == null || isInstanceId(taskId)) return 0;
    int end = instanceEnd(taskId);
    if (end <= 0) return 0;
    int container = taskId.indexOf('.', end + 1);
    if (container < 0) return 0;
    try {
      return Long.parseLong(taskId.substring(container + 1));
    } catch (NumberFormatException e) { // 20+ digits: not an incarnation Marathon makes; must not fail the event
      return 0;
    }
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

  private static String legacyInstance(String id, int dot, int uuidEnd) {
    return id.substring(0, dot) + ".marathon-" + id.substring(dot + 1, uuidEnd);
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
    if (to - from != 36) return false;
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(from + i);
      boolean ok = i == 8 || i == 13 || i == 18 || i == 23
          ? c == '-'
          : c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
      if (!ok) return false;
    }
    return true;
  }
}
