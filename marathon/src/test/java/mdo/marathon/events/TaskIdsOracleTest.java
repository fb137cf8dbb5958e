package mdo.marathon.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * TaskIds gives the answers of these regexes (Marathon's own in {@code Task.Id.parse}, 1.8), for ids of every form and
 * for odd ones. Incarnations count a relaunch of a task whose first task had no number ({@code <safe>.<uuid>.<n>},
 * {@code <safe>.marathon-<uuid>.<c>.<n>}) one higher, so that its first relaunch is 2.
 */
class TaskIdsOracleTest {
  private static final String UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
  private static final Pattern INSTANCE = Pattern.compile("^(.+)\\.(instance|marathon)-([^.]+)$");
  private static final Pattern INSTANCE_TASK =
      Pattern.compile("^(.+\\.(instance|marathon)-[^.]+)\\.([^.]+)(?:\\.(\\d+))?$");
  private static final Pattern LEGACY_TASK = Pattern.compile("^(.+)[._](" + UUID + ")(?:\\.(\\d+))?$");

  private static String oldInstanceId(String id) {
    if (id == null || id.isEmpty()) return id;
    if (INSTANCE.matcher(id).matches()) return id;
    Matcher m = INSTANCE_TASK.matcher(id);
    if (m.matches()) return m.group(1);
    m = LEGACY_TASK.matcher(id);
    if (m.matches()) return m.group(1) + ".marathon-" + m.group(2);
    return id;
  }

  private static boolean oldIsInstanceId(String id) {
    return id != null && INSTANCE.matcher(id).matches();
  }

  private static long oldIncarnation(String taskId) {
    if (taskId == null || INSTANCE.matcher(taskId).matches()) return 0;
    Matcher m = INSTANCE_TASK.matcher(taskId);
    if (m.matches()) {
      if (m.group(4) == null) return 0;
      long n = Long.parseLong(m.group(4));
      return m.group(2).equals("marathon") ? Math.addExact(n, 1) : n;
    }
    m = LEGACY_TASK.matcher(taskId);
    return m.matches() && m.group(3) != null ? Math.addExact(Long.parseLong(m.group(3)), 1) : 0;
  }

  private static final String[] SAFE = {
      "a", "test-app", "web.v2_api", "minecraft_survival-world", "myGroup_myApp", "x.y.z", "0", "123", "a..b", ".",
      "..", "_", "a_b.c-d", "instance-x", "marathon-1", "a.instance-b", "a.marathon-5dd78972-6771-11e5-94e1-be5b2935a987",
      "5dd78972-6771-11e5-94e1-be5b2935a987", "a b", "ä.ö", "line\nbreak", "cr\r", "nel\u0085", "ls\u2028x", "ps\u2029"};
  private static final String[] CONTAINER = {
      "_app", "nginx", "sidecar-1", "0", "12", "007", "a", "instance-c", "marathon-d", "99999999999999999999", "x\ny"};

  private static List<String> ids() {
    SplittableRandom random = new SplittableRandom(18);
    List<String> ids = new ArrayList<>(List.of(
        "my-app_0-1396592784349", "", ".", "..", "...", "a.", "a..", ".a", "instance-", ".instance-", "a.instance-",
        "a.instance-.", "a.instance-.c", "a.instance-.c.1", "a.instance-u.", "a.instance-u..", "a.instance-u..1",
        "a.instance-u.c.", "a.instance-u.c.1.", "a.instance-u.c.1.2", "a.instance-u.1", "a.instance-u.instance-v.5",
        ".instance-u.c", "..instance-u.c.1", "a.marathon-u._app.3", "a.Instance-u._app.3", "a.instance_u._app.3",
        "a.5dd78972-6771-11e5-94e1-be5b2935a987.", "a.5dd78972-6771-11e5-94e1-be5b2935a987..1",
        "a.5dd78972-6771-11e5-94e1-be5b2935a987.1.2", "a.5dd78972-6771-11e5-94e1-be5b2935a98", "a.5dd78972-6771-11e5-94e1-be5b2935a9870",
        "a.5DD78972-6771-11E5-94E1-BE5B2935A987", "a.5dd78972_6771-11e5-94e1-be5b2935a987", "a.5dd78972-6771-11e5-94e1-be5b2935a98g",
        ".5dd78972-6771-11e5-94e1-be5b2935a987", "5dd78972-6771-11e5-94e1-be5b2935a987.1",
        "a.5dd78972-6771-11e5-94e1-be5b2935a987.x", "a.5dd78972-6771-11e5-94e1-be5b2935a987.\u0661",
        "a.instance-u.c.\u0661", "a.instance-u.c.99999999999999999999", "a_5dd78972-6771-11e5-94e1-be5b2935a987",
        "a_b_5dd78972-6771-11e5-94e1-be5b2935a987.7", "a._5dd78972-6771-11e5-94e1-be5b2935a987",
        "_5dd78972-6771-11e5-94e1-be5b2935a987", "a__5dd78972-6771-11e5-94e1-be5b2935a987",
        "a.marathon-u._app.9223372036854775807"));
    for (int i = 0; i < 20_000; i++) {
      String safe = pick(random, SAFE);
      String uuid = uuid(random);
      String container = pick(random, CONTAINER);
      String n = Integer.toString(random.nextInt(0, 1000));
      ids.add(switch (random.nextInt(8)) {
        case 0 -> safe + (random.nextBoolean() ? "." : "_") + uuid;
        case 1 -> safe + (random.nextBoolean() ? "." : "_") + uuid + "." + n;
        case 2 -> safe + ".instance-" + uuid;
        case 3 -> safe + ".marathon-" + uuid;
        case 4 -> safe + ".instance-" + uuid + "." + container;
        case 5 -> safe + (random.nextBoolean() ? ".instance-" : ".marathon-") + uuid + "." + container + "." + n;
        case 6 -> safe + "_" + n + "-" + (1_396_592_784_349L + i);
        default -> mangle(random, safe + ".instance-" + uuid + "." + container + "." + n);
      });
    }
    // short ids from the characters that steer the parse
    String alphabet = ".-_0a\n";
    String[] words = {"instance-", "marathon-", "5dd78972-6771-11e5-94e1-be5b2935a987", "1", "."};
    for (int i = 0; i < 20_000; i++) {
      StringBuilder id = new StringBuilder();
      for (int k = random.nextInt(1, 9); k > 0; k--) {
        id.append(random.nextInt(3) == 0 ? pick(random, words) : String.valueOf(alphabet.charAt(random.nextInt(alphabet.length()))));
      }
      ids.add(id.toString());
    }
    return ids;
  }

  @Test
  void instanceIdMatchesTheOldPatterns() {
    for (String id : ids()) assertThat(TaskIds.instanceId(id)).as(id).isEqualTo(oldInstanceId(id));
    assertThat(TaskIds.instanceId(null)).isNull();
  }

  @Test
  void isInstanceIdMatchesTheOldPattern() {
    for (String id : ids()) assertThat(TaskIds.isInstanceId(id)).as(id).isEqualTo(oldIsInstanceId(id));
    assertThat(TaskIds.isInstanceId(null)).isFalse();
  }

  @Test
  void incarnationMatchesThePatternsAndAnOverflowCountsAsNone() {
    for (String id : ids()) assertThat(TaskIds.incarnation(id)).as(id).isEqualTo(outcome(() -> oldIncarnation(id)));
    assertThat(TaskIds.incarnation(null)).isZero();
    assertThat(TaskIds.incarnation("a.instance-u.c.99999999999999999999")).isZero();
    assertThat(TaskIds.incarnation("a.5dd78972-6771-11e5-94e1-be5b2935a987." + Long.MAX_VALUE)).isZero();
  }

  /** A number of 20+ digits (or one that overflows when counted up) is none Marathon makes: it counts as none. */
  private static long outcome(Supplier<Long> f) {
    try {
      return f.get();
    } catch (NumberFormatException | ArithmeticException e) {
      return 0;
    }
  }

  private static String pick(SplittableRandom random, String[] from) {
    return from[random.nextInt(from.length)];
  }

  private static String uuid(SplittableRandom random) {
    String hex = random.nextBoolean() ? "0123456789abcdef" : "0123456789ABCDEF";
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 36; i++) {
      s.append(i == 8 || i == 13 || i == 18 || i == 23 ? '-' : hex.charAt(random.nextInt(16)));
    }
    return s.toString();
  }

  /** Deletes, doubles or replaces one character, so near-misses of every form are covered. */
  private static String mangle(SplittableRandom random, String id) {
    int at = random.nextInt(id.length());
    return switch (random.nextInt(3)) {
      case 0 -> id.substring(0, at) + id.substring(at + 1);
      case 1 -> id.substring(0, at) + id.charAt(at) + id.substring(at);
      default -> id.substring(0, at) + ".-_0a\n".charAt(random.nextInt(6)) + id.substring(at + 1);
    };
  }
}
