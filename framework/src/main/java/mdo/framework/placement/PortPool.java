package mdo.framework.placement;

import java.util.Arrays;
import java.util.BitSet;

/** The free host ports of one agent during a cycle: sorted, disjoint ranges that placed tasks carve ports from. */
final class PortPool {
  private int[] begins = new int[2];
  private int[] ends = new int[2];
  private int ranges;
  private int free;

  /** Adds an offered range; an overlap means two offers claim the same port, which Mesos never does. */
  void add(PortRange range, String agentId) {
    int at = 0;
    while (at < ranges && begins[at] < range.begin()) at++;
    boolean overlapsPrevious = at > 0 && ends[at - 1] >= range.begin();
    boolean overlapsNext = at < ranges && begins[at] <= range.end();
    if (overlapsPrevious || overlapsNext) {
      PortRange other = overlapsPrevious ? new PortRange(begins[at - 1], ends[at - 1]) : new PortRange(begins[at], ends[at]);
      throw new IllegalArgumentException("agent " + agentId + ": offered port ranges overlap: " + other + " and " + range);
    }
    insert(at, range.begin(), range.end());
    free += range.size();
  }

  int free() {
    return free;
  }

  boolean contains(int port) {
    return indexOf(port) >= 0;
  }

  /** Takes a port the pool contains. */
  void take(int port) {
    int i = indexOf(port);
    if (i < 0) throw new IllegalStateException("port " + port + " is not free");
    free--;
    if (begins[i] == ends[i]) {
      System.arraycopy(begins, i + 1, begins, i, ranges - i - 1);
      System.arraycopy(ends, i + 1, ends, i, ranges - i - 1);
      ranges--;
    } else if (port == begins[i]) {
      begins[i]++;
    } else if (port == ends[i]) {
      ends[i]--;
    } else {
      int end = ends[i];
      ends[i] = port - 1;
      insert(i + 1, port + 1, end);
    }
  }

  /**
   * Takes {@code n} ports, lowest first, avoiding {@code wanted} (ports that pending tasks need as fixed ports this
   * cycle) unless nothing else is left. The caller checked {@code free() >= n}.
   */
  int[] takeAny(int n, BitSet wanted) {
    int[] chosen = new int[n];
    int found = 0;
    for (int pass = 0; pass < 2 && found < n; pass++) {
      for (int r = 0; r < ranges && found < n; r++) {
        for (int p = begins[r]; p <= ends[r] && found < n; p++) {
          boolean avoid = wanted.get(p);
          if (pass == 0 ? !avoid : avoid) chosen[found++] = p;
        }
      }
    }
    if (found < n) throw new IllegalStateException("asked for " + n + " ports, " + free + " free");
    for (int p : chosen) take(p);
    Arrays.sort(chosen);
    return chosen;
  }

  private int indexOf(int port) {
    int lo = 0;
    int hi = ranges - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (ends[mid] < port) lo = mid + 1;
      else if (begins[mid] > port) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  private void insert(int at, int begin, int end) {
    if (ranges == begins.length) {
      begins = Arrays.copyOf(begins, ranges * 2);
      ends = Arrays.copyOf(ends, ranges * 2);
    }
    System.arraycopy(begins, at, begins, at + 1, ranges - at);
    System.arraycopy(ends, at, ends, at + 1, ranges - at);
    begins[at] = begin;
    ends[at] = end;
    ranges++;
  }
}
