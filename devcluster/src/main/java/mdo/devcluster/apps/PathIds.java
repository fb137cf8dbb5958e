package mdo.devcluster.apps;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import mdo.devcluster.MarathonVersion;

/** Marathon app ids: absolute slash-separated paths whose segments match {@code PathId.scala}'s pattern. */
public final class PathIds {
  static final String SEGMENT_REGEX =
      "^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])|(\\.|\\.\\.)$";
  private static final Pattern SEGMENT = Pattern.compile(SEGMENT_REGEX);
  /** Since Marathon 1.8 the last segment may not be one of these, so routes like {@code /v2/apps/x/tasks} stay unambiguous. */
  private static final Set<String> RESERVED = Set.of("restart", "tasks", "versions");

  private PathIds() {}

  /** {@code "a/b/"} or {@code "/a/./b"} → {@code "/a/b"}; {@code ".."} climbs one level. Validate first. */
  public static String canonical(String raw) {
    Deque<String> parts = new ArrayDeque<>();
    for (String segment : raw.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) continue;
      if (segment.equals("..")) {
        parts.pollLast();
      } else {
        parts.addLast(segment);
      }
    }
    return "/" + String.join("/", parts);
  }

  /** What is wrong with an id, in Marathon's words; empty when it is valid. Reserved last segments count from 1.8. */
  public static List<String> errors(String raw, MarathonVersion version) {
    List<String> errors = new ArrayList<>();
    String trimmed = raw.replaceAll("^/+|/+$", "");
    if (trimmed.isEmpty()) {
      errors.add("Path must not be empty");
      return errors;
    }
    for (String segment : trimmed.split("/")) {
      if (!SEGMENT.matcher(segment).matches()) {
        errors.add("must fully match regular expression '" + SEGMENT_REGEX + "'");
        return errors;
      }
    }
    String canonical = canonical(raw);
    if (canonical.equals("/")) {
      errors.add("Path must not be empty");
    } else if (version.atLeast(8) && RESERVED.contains(canonical.substring(canonical.lastIndexOf('/') + 1))) {
      errors.add("must not end with any of the following reserved keywords: restart, tasks, versions");
    }
    return errors;
  }

  /** The group an absolute id lives in: {@code /a/b} → {@code /a}, {@code /a} → {@code /}. */
  public static String parent(String absoluteId) {
    int slash = absoluteId.lastIndexOf('/');
    return slash <= 0 ? "/" : absoluteId.substring(0, slash);
  }

  /** The "safe path" used in task and instance ids: no leading slash, segments joined with {@code _}. */
  public static String safe(String appId) {
    return appId.substring(1).replace('/', '_');
  }
}
