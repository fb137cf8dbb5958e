package mdo.cli;

import java.time.Duration;
import mdo.config.Durations;
import picocli.CommandLine;

/** {@code --timeout 10m}: the same duration forms as config.yaml. */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      Duration d = Durations.parse(value);
      if (d.isZero()) throw new CommandLine.TypeConversionException("must be longer than zero");
      return d;
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
