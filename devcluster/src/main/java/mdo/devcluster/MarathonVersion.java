package mdo.devcluster;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Marathon release the dev cluster behaves as ({@code --marathon-version}), 1.4 to 1.11. Only the minor number
 * matters: every behaviour that differs between releases changed at a minor release (see the devcluster README's
 * version table).
 */
public record MarathonVersion(int minor) {
  public static final int OLDEST = 4;
  public static final int NEWEST = 11;
  public static final MarathonVersion DEFAULT = new MarathonVersion(10);
  private static final Pattern FORMAT = Pattern.compile("1\\.(\\d+)(\\.\\d+)?");

  public MarathonVersion {
    if (minor < OLDEST || minor > NEWEST) {
      throw new IllegalArgumentException("Marathon version must be 1." + OLDEST + " to 1." + NEWEST + ", got 1."
          + minor);
    }
  }

  /** {@code "1.9"} or {@code "1.9.109"}. */
  public static MarathonVersion parse(String text) {
    Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("Marathon version must look like 1.9 (1." + OLDEST + " to 1." + NEWEST
          + "), got '" + text + "'");
    }
    return new MarathonVersion(Integer.parseInt(m.group(1)));
  }

  /** True from Marathon 1.{@code minor} on. */
  public boolean atLeast(int sinceMinor) {
    return minor >= sinceMinor;
  }

  /** What {@code /v2/info} reports as {@code version}. */
  public String release() {
    return "1." + minor + ".0";
  }

  @Override
  public String toString() {
    return "1." + minor;
  }
}
