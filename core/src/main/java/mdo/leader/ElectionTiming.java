package mdo.leader;

import java.time.Duration;

/**
 * How fast leadership moves. After a leader dies (SIGKILL: no resignation) its key lives until the lease expires,
 * at most {@code ttl} after its last renewal; etcd revokes expired leases every 500 ms and a standby tries again every
 * {@code retryInterval}. With the defaults (3 s, 1 s, 500 ms) a standby leads within 4 s of the leader's death.
 *
 * <p>A leader that cannot renew steps down once {@code ttl - renewInterval} has passed since the last renewal that
 * etcd acknowledged was sent: before etcd could expire the lease and elect another, so two processes never both
 * believe they lead (and etcd refuses a former leader's fenced writes in any case).
 *
 * @param ttl the lease's time to live; etcd's minimum is 1.5 times its election timeout (2 s with its defaults)
 * @param renewInterval how often the leader renews the lease and checks that its key is still its own
 * @param retryInterval how often a standby reads the key and, when it is free, campaigns
 */
public record ElectionTiming(Duration ttl, Duration renewInterval, Duration retryInterval) {
  public ElectionTiming {
    if (ttl.toSeconds() < 1 || ttl.toMillis() % 1000 != 0) {
      throw new IllegalArgumentException("lease ttl must be whole seconds, at least 1: " + ttl);
    }
    if (renewInterval.multipliedBy(2).compareTo(ttl) >= 0) {
      throw new IllegalArgumentException("renewInterval " + renewInterval + " must be under half the ttl " + ttl);
    }
    if (retryInterval.isNegative() || retryInterval.isZero()) {
      throw new IllegalArgumentException("retryInterval must be positive: " + retryInterval);
    }
  }

  public static ElectionTiming defaults() {
    return new ElectionTiming(Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofMillis(500));
  }

  /** How long a renewal (or resignation) may wait for etcd: half a renewal period, so a slow one leaves time. */
  Duration requestTimeout() {
    return renewInterval.dividedBy(2);
  }

  /** Since the last acknowledged renewal was sent: past this, the leader steps down. */
  Duration stepDownAfter() {
    return ttl.minus(renewInterval);
  }
}
