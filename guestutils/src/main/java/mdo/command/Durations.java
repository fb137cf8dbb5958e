package mdo.command;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * The one duration syntax of config.yaml and every command line: {@code 500ms}, {@code 30s}, {@code 1.5m},
 * {@code 1h}, or a bare number of seconds. As a picocli converter it accepts zero; {@link Positive} does not.
 */
public final class Durations implements CommandLine.ITypeConverter<Duration> {
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

  /** @throws IllegalArgumentException with a message that shows the accepted forms */
  public static Duration parse(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("expected a duration such as 30s, 2m, 1h or a number of seconds, got '" + text + "'");
    }
    double amount = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    double millis = switch (unit) {
      case "ms" -> amount;
      case "s" -> amount * 1_000;
      case "m" -> amount * 60_000;
      default -> amount * 3_600_000;
    };
    return Duration.ofMillis(Math.round(millis));
  }

  /** {@code 90s}, {@code 10m}, {@code 1h}: the shortest exact form. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 != 0) return ms + "ms";
    long s = ms / 1000;
    if (s != 0 && s % 3600 == 0) return s / 3600 + "h";
    if (s != 0 && s % 60 == 0) return s / 60 + "m";
    return s + "s";
  }

  @Override
  public Duration convert(String value) {
    try {
      return parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }

  /** For options where zero makes no sense, such as {@code --timeout}. */
  public static final class Positive implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration d = new Durations().convert(value);
      if (d.isZero()) throw new CommandLine.TypeConversionException("must be longer than zero");
      return d;
    }
  }
}
