package mdo.framework.placement;

import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * An agent attribute's value, one of the four Mesos attribute types. Constraints compare the value as Marathon
 * renders it ({@link #render()}): scalars to the thousandth without trailing zeros, ranges as {@code [b-e,...]}
 * sorted by begin, sets as {@code {a,b}} sorted.
 */
public sealed interface AttributeValue {

  /** The text constraints compare, exactly as Marathon's {@code Constraints.getValueString} renders it. */
  String render();

  static AttributeValue text(String value) {
    return new Text(value);
  }

  static AttributeValue scalar(double value) {
    return new Scalar(value);
  }

  record Text(String value) implements AttributeValue {
    public Text {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public String render() {
      return value;
    }
  }

  record Scalar(double value) implements AttributeValue {
    public Scalar {
      if (!Double.isFinite(value)) throw new IllegalArgumentException("scalar attribute must be finite, got " + value);
    }

    @Override
    public String render() {
      return formatScalar(value);
    }
  }

  record Ranges(List<Range> ranges) implements AttributeValue {
    public Ranges {
      ranges = List.copyOf(ranges);
    }

    @Override
    public String render() {
      return ranges.stream().sorted(Comparator.comparingLong(Range::begin))
          .map(r -> r.begin() + "-" + r.end()).collect(Collectors.joining(",", "[", "]"));
    }
  }

  record Range(long begin, long end) {}

  record SetValue(List<String> items) implements AttributeValue {
    public SetValue {
      items = List.copyOf(items);
    }

    @Override
    public String render() {
      return items.stream().sorted().collect(Collectors.joining(",", "{", "}"));
    }
  }

  /**
   * Marathon's {@code DecimalFormat("0.###")}: half-even to the thousandth, no trailing zeros. The symbols are fixed
   * so a host locale with a decimal comma cannot change what a constraint compares.
   */
  static String formatScalar(double value) {
    DecimalFormat format = new DecimalFormat("0.###", DecimalFormatSymbols.getInstance(Locale.ROOT));
    format.setRoundingMode(RoundingMode.HALF_EVEN);
    return format.format(value);
  }
}
