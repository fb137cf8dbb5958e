package mdo.devcluster.mesos.resources;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.Value;

/**
 * A bag of Mesos resources with the arithmetic of {@code src/common/resources.cpp}: resources of the same name, type,
 * role, reservations and allocation merge (scalars add, ranges and sets unite), subtraction and containment work per
 * merged entry, scalars keep three decimal digits, and {@link #toString()} prints what the master prints, e.g.
 * {@code cpus(allocated: *):0.5; mem(allocated: *):256; ports(allocated: *):[31000-31005]}. Immutable.
 */
public final class Resources {
  private static final Resources EMPTY = new Resources(List.of());
  private final List<Resource> entries;

  private Resources(List<Resource> entries) {
    this.entries = List.copyOf(entries);
  }

  public static Resources empty() {
    return EMPTY;
  }

  /** Merges the given resources; entries whose value is empty (a zero scalar, no ranges) are dropped. */
  public static Resources of(Collection<Resource> resources) {
    Resources out = EMPTY;
    for (Resource r : resources) out = out.plus(r);
    return out;
  }

  public List<Resource> toList() {
    return entries;
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  public Resources plus(Resources other) {
    Resources out = this;
    for (Resource r : other.entries) out = out.plus(r);
    return out;
  }

  private Resources plus(Resource r) {
    if (isEmpty(r)) return this;
    List<Resource> out = new ArrayList<>(entries);
    for (int i = 0; i < out.size(); i++) {
      if (sameKind(out.get(i), r)) {
        out.set(i, combine(out.get(i), r, true));
        return new Resources(out);
      }
    }
    out.add(r);
    return new Resources(out);
  }

  /** What is left after taking {@code other} away; parts of {@code other} that are not here are ignored. */
  public Resources minus(Resources other) {
    List<Resource> out = new ArrayList<>(entries);
    for (Resource r : other.entries) {
      for (int i = 0; i < out.size(); i++) {
        if (sameKind(out.get(i), r)) {
          Resource left = combine(out.get(i), r, false);
          if (isEmpty(left)) out.remove(i); else out.set(i, left);
          break;
        }
      }
    }
    return new Resources(out);
  }

  /** True when every resource of {@code other} is available here (same kind, enough of it). */
  public boolean contains(Resources other) {
    for (Resource r : other.entries) {
      Resource mine = entries.stream().filter(e -> sameKind(e, r)).findFirst().orElse(null);
      if (mine == null || !covers(mine, r)) return false;
    }
    return true;
  }

  /** The sum of the scalar resources of this name, in Mesos' fixed-point (thousandths). */
  public double scalar(String name) {
    long milli = 0;
    for (Resource r : entries) {
      if (r.getName().equals(name) && r.getType() == Value.Type.SCALAR) milli += fixed(r.getScalar().getValue());
    }
    return milli / 1000.0;
  }

  /** The ranges of this name, merged and sorted. */
  public List<Value.Range> ranges(String name) {
    List<Value.Range> all = new ArrayList<>();
    for (Resource r : entries) {
      if (r.getName().equals(name) && r.getType() == Value.Type.RANGES) all.addAll(r.getRanges().getRangeList());
    }
    return coalesce(all);
  }

  /** Only the entries allocated to {@code role} (or to no role, when it is null). */
  public Resources allocatedTo(String role) {
    return new Resources(entries.stream().filter(r -> Objects.equals(role,
        r.hasAllocationInfo() ? r.getAllocationInfo().getRole() : null)).toList());
  }

  /** The same resources with the allocation role set (or cleared, when null), as the master injects it. */
  public Resources withAllocation(String role) {
    List<Resource> out = new ArrayList<>();
    for (Resource r : entries) {
      Resource.Builder b = r.toBuilder();
      if (role == null) b.clearAllocationInfo(); else b.getAllocationInfoBuilder().setRole(role);
      out.add(b.build());
    }
    return of(out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Resources other && contains(other) && other.contains(this);
  }

  @Override
  public int hashCode() {
    return entries.stream().map(Resource::getName).collect(Collectors.toSet()).hashCode();
  }

  @Override
  public String toString() {
    if (entries.isEmpty()) return "{}";
    return entries.stream().map(Resources::format).collect(Collectors.joining("; "));
  }

  /** One resource as {@code operator<<(ostream&, const Resource&)} prints it. */
  public static String format(Resource r) {
    StringBuilder s = new StringBuilder(r.getName());
    if (r.hasAllocationInfo()) s.append("(allocated: ").append(r.getAllocationInfo().getRole()).append(")");
    if (r.getReservationsCount() > 0) {
      s.append("(reservations: [").append(r.getReservationsList().stream()
          .map(v -> "(" + v.getType() + "," + v.getRole() + ")").collect(Collectors.joining(","))).append("])");
    }
    if (r.hasRevocable()) s.append("{REV}");
    if (r.hasShared()) s.append("<SHARED>");
    s.append(':');
    switch (r.getType()) {
      case SCALAR -> s.append(formatScalar(r.getScalar().getValue()));
      case RANGES -> s.append(r.getRanges().getRangeList().stream().map(x -> x.getBegin() + "-" + x.getEnd())
          .collect(Collectors.joining(", ", "[", "]")));
      case SET -> s.append('{').append(String.join(", ", r.getSet().getItemList())).append('}');
      default -> s.append(r.getType());
    }
    return s.toString();
  }

  /** {@code convertToFloating(convertToFixed(v))} printed with 15 significant digits, trailing zeros dropped. */
  static String formatScalar(double value) {
    double rounded = fixed(value) / 1000.0;
    BigDecimal d = new BigDecimal(rounded).round(new MathContext(15)).stripTrailingZeros();
    return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
  }

  /** Mesos keeps scalars as thousandths ({@code convertToFixed}: {@code llround(value * 1000)}). */
  static long fixed(double value) {
    return Math.round(value * 1000);
  }

  /** Same name, type, role, reservations, allocation and special kinds: such resources add up. */
  static boolean sameKind(Resource a, Resource b) {
    return a.getName().equals(b.getName())
        && a.getType() == b.getType()
        && a.getRole().equals(b.getRole())
        && a.getReservationsList().equals(b.getReservationsList())
        && a.hasReservation() == b.hasReservation()
        && a.getReservation().equals(b.getReservation())
        && a.hasAllocationInfo() == b.hasAllocationInfo()
        && a.getAllocationInfo().equals(b.getAllocationInfo())
        && a.hasDisk() == b.hasDisk() && a.getDisk().equals(b.getDisk())
        && a.hasRevocable() == b.hasRevocable()
        && a.hasShared() == b.hasShared()
        && a.hasProviderId() == b.hasProviderId() && a.getProviderId().equals(b.getProviderId());
  }

  private static boolean isEmpty(Resource r) {
    return switch (r.getType()) {
      case SCALAR -> fixed(r.getScalar().getValue()) == 0;
      case RANGES -> r.getRanges().getRangeCount() == 0;
      case SET -> r.getSet().getItemCount() == 0;
      default -> false;
    };
  }

  private static boolean covers(Resource mine, Resource wanted) {
    return switch (mine.getType()) {
      case SCALAR -> fixed(wanted.getScalar().getValue()) <= fixed(mine.getScalar().getValue());
      case RANGES -> subtract(coalesce(wanted.getRanges().getRangeList()), coalesce(mine.getRanges().getRangeList()))
          .isEmpty();
      case SET -> new LinkedHashSet<>(mine.getSet().getItemList()).containsAll(wanted.getSet().getItemList());
      default -> false;
    };
  }

  private static Resource combine(Resource a, Resource b, boolean add) {
    Resource.Builder out = a.toBuilder();
    switch (a.getType()) {
      case SCALAR -> {
        long milli = fixed(a.getScalar().getValue()) + (add ? 1 : -1) * fixed(b.getScalar().getValue());
        out.setScalar(Value.Scalar.newBuilder().setValue(Math.max(0, milli) / 1000.0));
      }
      case RANGES -> {
        List<Value.Range> mine = a.getRanges().getRangeList();
        List<Value.Range> theirs = b.getRanges().getRangeList();
        List<Value.Range> ranges = add ? union(mine, theirs) : subtract(coalesce(mine), coalesce(theirs));
        out.setRanges(Value.Ranges.newBuilder().addAllRange(ranges));
      }
      case SET -> {
        Set<String> items = new LinkedHashSet<>(a.getSet().getItemList());
        if (add) items.addAll(b.getSet().getItemList()); else b.getSet().getItemList().forEach(items::remove);
        out.setSet(Value.Set.newBuilder().addAllItem(items));
      }
      default -> { }
    }
    return out.build();
  }

  private static List<Value.Range> union(List<Value.Range> a, List<Value.Range> b) {
    List<Value.Range> all = new ArrayList<>(a);
    all.addAll(b);
    return coalesce(all);
  }

  /** Sorted, with overlapping and adjacent ranges joined, as {@code coalesce(Value::Ranges*)} leaves them. */
  static List<Value.Range> coalesce(List<Value.Range> ranges) {
    List<Value.Range> sorted = new ArrayList<>(ranges);
    sorted.sort((x, y) -> Long.compareUnsigned(x.getBegin(), y.getBegin()));
    List<Value.Range> out = new ArrayList<>();
    for (Value.Range r : sorted) {
      if (!out.isEmpty() && r.getBegin() <= out.get(out.size() - 1).getEnd() + 1) {
        Value.Range last = out.remove(out.size() - 1);
        out.add(range(last.getBegin(), Math.max(last.getEnd(), r.getEnd())));
      } else {
        out.add(r);
      }
    }
    return out;
  }

  /** {@code from} minus {@code taken}; both coalesced. */
  private static List<Value.Range> subtract(List<Value.Range> from, List<Value.Range> taken) {
    List<Value.Range> out = new ArrayList<>();
    for (Value.Range r : from) {
      long begin = r.getBegin();
      long end = r.getEnd();
      for (Value.Range t : taken) {
        if (t.getEnd() < begin || t.getBegin() > end) continue;
        if (t.getBegin() > begin) out.add(range(begin, t.getBegin() - 1));
        begin = t.getEnd() + 1;
        if (begin > end) break;
      }
      if (begin <= end) out.add(range(begin, end));
    }
    return out;
  }

  /**
   * An agent's {@code --resources} text, e.g. {@code cpus:4;mem:8192;disk:20000;ports:[31000-32000]}: scalars,
   * ranges in brackets, sets in braces, unreserved (role "*").
   */
  public static Resources parse(String text) {
    List<Resource> out = new ArrayList<>();
    for (String part : text.split(";")) {
      String item = part.trim();
      if (item.isEmpty()) continue;
      int colon = item.indexOf(':');
      if (colon <= 0) throw new IllegalArgumentException("bad resource '" + item + "': expected name:value");
      String name = item.substring(0, colon).trim();
      String value = item.substring(colon + 1).trim();
      Resource.Builder r = Resource.newBuilder().setName(name).setRole("*");
      try {
        if (value.startsWith("[") && value.endsWith("]")) {
          Value.Ranges.Builder ranges = Value.Ranges.newBuilder();
          for (String span : value.substring(1, value.length() - 1).split(",")) {
            String[] ends = span.trim().split("-");
            if (ends.length != 2) throw new IllegalArgumentException("range '" + span.trim() + "' is not begin-end");
            ranges.addRange(range(Long.parseLong(ends[0].trim()), Long.parseLong(ends[1].trim())));
          }
          r.setType(Value.Type.RANGES).setRanges(ranges);
        } else if (value.startsWith("{") && value.endsWith("}")) {
          Value.Set.Builder set = Value.Set.newBuilder();
          for (String element : value.substring(1, value.length() - 1).split(",")) set.addItem(element.trim());
          r.setType(Value.Type.SET).setSet(set);
        } else {
          r.setType(Value.Type.SCALAR).setScalar(Value.Scalar.newBuilder().setValue(Double.parseDouble(value)));
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad resource '" + item + "': " + e.getMessage());
      }
      String problem = ResourceValidation.problem(r.build());
      if (problem != null) throw new IllegalArgumentException("bad resource '" + item + "': " + problem);
      out.add(r.build());
    }
    return of(out);
  }

  public static Value.Range range(long begin, long end) {
    return Value.Range.newBuilder().setBegin(begin).setEnd(end).build();
  }

  public static Resource scalar(String name, double value) {
    return Resource.newBuilder().setName(name).setType(Value.Type.SCALAR)
        .setScalar(Value.Scalar.newBuilder().setValue(value)).build();
  }

  public static Resource ranges(String name, List<Value.Range> ranges) {
    return Resource.newBuilder().setName(name).setType(Value.Type.RANGES)
        .setRanges(Value.Ranges.newBuilder().addAllRange(ranges)).build();
  }
}
