package mdo.config;

import java.util.Collection;
import java.util.Optional;

/** "Did you mean" for misspelt keys and service names: the closest candidate by edit distance, if close enough. */
public final class Suggest {
  private Suggest() {}

  public static Optional<String> closest(String word, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(word.toLowerCase(), c.toLowerCase());
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    int allowed = Math.max(2, word.length() / 3);
    if (bestDistance <= allowed) return Optional.of(best);
    // A longer or shorter spelling of a key ("memory" for "mem", "env" for "environment").
    for (String c : candidates) {
      String a = word.toLowerCase();
      String b = c.toLowerCase();
      if (Math.min(a.length(), b.length()) >= 3 && (a.startsWith(b) || b.startsWith(a))) return Optional.of(c);
    }
    return Optional.empty();
  }

  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) previous[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }
}
