package mdo.devcluster;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The agent's {@code ports} resource, as a Mesos agent offers it ({@code --resources=ports:[31000-32000]}, the Mesos
 * default). Tasks get every host port from here: dynamic ones are picked from it, and a task that needs a fixed host
 * port outside it is never launched, as no offer carries that port.
 */
public record PortRanges(List<Range> ranges) {
  /** Inclusive on both ends, as Mesos ranges are. */
  public record Range(int begin, int end) {
    public Range {
      if (begin < 1 || end > 65535 || begin > end) {
        throw new IllegalArgumentException("port range must be within 1..65535 and not empty, got " + begin + "-"
            + end);
      }
    }

    @Override
    public String toString() {
      return begin + "-" + end;
    }
  }

  /** Mesos's agent default. */
  public static final PortRanges MESOS_DEFAULT = of(31000, 32000);

  public PortRanges {
    if (ranges.isEmpty()) throw new IllegalArgumentException("port ranges must not be empty");
    List<Range> sorted = new ArrayList<>(ranges);
    sorted.sort((a, b) -> Integer.compare(a.begin(), b.begin()));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).begin() <= sorted.get(i - 1).end()) {
        throw new IllegalArgumentException("port ranges overlap: " + sorted.get(i - 1) + " and " + sorted.get(i));
      }
    }
    ranges = List.copyOf(sorted);
  }

  public static PortRanges of(int begin, int end) {
    return new PortRanges(List.of(new Range(begin, end)));
  }

  /** {@code 31000-32000}, {@code 31000-32000,2181-2181} or the Mesos form {@code [31000-32000, 2181-2181]}. */
  public static PortRanges parse(String text) {
    String body = text.trim();
    if (body.startsWith("[") && body.endsWith("]")) body = body.substring(1, body.length() - 1);
    List<Range> ranges = new ArrayList<>();
    for (String part : body.split(",")) {
      String p = part.trim();
      String[] ends = p.split("-", -1);
      try {
        if (ends.length == 1) {
          int port = Integer.parseInt(ends[0].trim());
          ranges.add(new Range(port, port));
        } else if (ends.length == 2) {
          ranges.add(new Range(Integer.parseInt(ends[0].trim()), Integer.parseInt(ends[1].trim())));
        } else {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("port ranges must look like 31000-32000 or 31000-32000,2181-2181; got '"
            + text + "'");
      }
    }
    return new PortRanges(ranges);
  }

  public boolean contains(int port) {
    for (Range r : ranges) if (port >= r.begin() && port <= r.end()) return true;
    return false;
  }

  /** Every port of the ranges, in order. */
  public List<Integer> ports() {
    List<Integer> out = new ArrayList<>();
    for (Range r : ranges) for (int p = r.begin(); p <= r.end(); p++) out.add(p);
    return out;
  }

  /** The Mesos text form, {@code [31000-32000, 2181-2181]}. */
  @Override
  public String toString() {
    return ranges.stream().map(Range::toString).collect(Collectors.joining(", ", "[", "]"));
  }
}
