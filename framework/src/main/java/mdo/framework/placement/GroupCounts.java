package mdo.framework.placement;

import java.util.Arrays;

/**
 * How many instances of one service have each value of one field (value ids from {@link FieldValues}, the missing
 * value counted as a group of its own, as Marathon's {@code groupBy} does), kept incrementally: the number of groups,
 * the smallest group and the value of the first instance are O(1).
 */
final class GroupCounts {
  private int[] counts = new int[8];
  /** {@code frequency[c]}: how many groups hold exactly c instances. */
  private int[] frequency = new int[8];
  private int groups;
  private int total;
  private int smallest;
  private int first = -1;

  void add(int id) {
    if (id >= counts.length) counts = Arrays.copyOf(counts, Math.max(id + 1, counts.length * 2));
    int c = ++counts[id];
    total++;
    if (first < 0) first = id;
    if (c >= frequency.length) frequency = Arrays.copyOf(frequency, frequency.length * 2);
    frequency[c]++;
    if (c == 1) {
      groups++;
      smallest = 1;
    } else {
      frequency[c - 1]--;
      if (c - 1 == smallest && frequency[c - 1] == 0) smallest = c;
    }
  }

  int count(int id) {
    return id < counts.length ? counts[id] : 0;
  }

  int groups() {
    return groups;
  }

  int total() {
    return total;
  }

  /** The smallest count of any group that has an instance; 0 when there is none. */
  int smallest() {
    return smallest;
  }

  /** The value id of the first instance added; -1 when there is none. */
  int first() {
    return first;
  }
}
