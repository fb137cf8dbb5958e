package mdo.access;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which environment variables hold secrets, by name, so that what mdo prints ({@code launcher --dry-run}, the list of
 * changes before an update) shows {@value #MASK} instead of their values. Marathon still gets the real values.
 */
public final class SecretValues {
  public static final String MASK = "***";
  /**
   * Names containing {@code PASSWORD} ({@code PGPASSWORD}), {@code SECRET}, {@code TOKEN}..., a part such as
   * {@code PASS} or {@code AUTH} between underscores, or ending in {@code _KEY}. A harmless value masked by mistake
   * costs less than a secret printed.
   */
  private static final Pattern SECRET_NAME = Pattern.compile(
      ".*(PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|PRIVATE).*|(^|.*_)(PASS|PWD|AUTH|APIKEY)(_.*|$)|(.*_)?KEY");

  private SecretValues() {}

  public static boolean isSecret(String variable) {
    return SECRET_NAME.matcher(variable.toUpperCase(Locale.ROOT)).matches();
  }

  /** A copy of {@code environment} with the values of secret variables replaced by {@value #MASK}. */
  public static Map<String, String> masked(Map<String, String> environment) {
    Map<String, String> out = new LinkedHashMap<>();
    environment.forEach((k, v) -> out.put(k, isSecret(k) ? MASK : v));
    return out;
  }
}
