package mdo.marathon.events;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter: attempt n waits a random time in [base·2ⁿ/2, base·2ⁿ], capped at {@code max}.
 * Jitter keeps many subscribers from reconnecting to a new leader in lockstep. Not thread-safe; one per retry loop.
 */
public final class Backoff {
  private final Duration base;
  private final Duration max;
  private int attempt;

  public Backoff(Duration base, Duration max) {
    if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
      throw new IllegalArgumentException("backoff needs 0 < base <= max, got " + base + ", " + max);
    }
    this.base = base;
    this.max = max;
  }

  /** The delay before the next attempt; each call doubles the ceiling. */
  public Duration next() {
    long ceiling = Math.min(max.toMillis(), base.toMillis() << Math.min(attempt, 20));
    attempt++;
    return Duration.ofMillis(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
  }

  public void reset() {
    attempt = 0;
  }

  public int attempts() {
    return attempt;
  }
}
