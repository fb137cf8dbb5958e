package mdo.framework.placement;

/** An inclusive range of host ports from an offer's {@code ports} resource. */
public record PortRange(int begin, int end) {

  public PortRange {
    if (begin < 1 || end > 65535 || begin > end) {
      throw new IllegalArgumentException("port range must lie within 1-65535 with begin <= end, got " + begin + "-" + end);
    }
  }

  public int size() {
    return end - begin + 1;
  }

  @Override
  public String toString() {
    return "[" + begin + "-" + end + "]";
  }
}
