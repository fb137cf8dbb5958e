package mdo.framework.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Marathon's launch delay, per service: after a task fails, the service's next launch waits {@code first}, growing by
 * {@code factor} with every further failure up to {@code max}, so a crash-looping service does not flood the agents.
 * A new configuration starts from scratch, as does a failure of a task that ran longer than {@code max} (it was not
 * crash-looping). Not thread-safe: the scheduler's thread only.
 */
final class LaunchBackoff {
  private final Duration first;
  private final double factor;
  private final Duration max;
  private final Map<String, Entry> entries = new HashMap<>();

  private record Entry(String configVersion, int failures, Instant until) {}

  LaunchBackoff(Duration first, double factor, Duration max) {
    this.first = first;
    this.factor = factor;
    this.max = max;
  }

  /** A task of {@code service} under {@code configVersion} failed at {@code at} after running {@code ran}. */
  void failed(String service, String configVersion, Instant at, Duration ran) {
    Entry e = entries.get(service);
    int failures = e == null || !e.configVersion().equals(configVersion) || ran.compareTo(max) > 0 ? 1
        : e.failures() + 1;
    double millis = Math.min(max.toMillis(), first.toMillis() * Math.pow(factor, failures - 1));
    entries.put(service, new Entry(configVersion, failures, at.plusMillis(Math.round(millis))));
  }

  /** How long launches of {@code service} (under {@code configVersion}) still wait; zero when they may go. */
  Duration remaining(String service, String configVersion, Instant now) {
    Entry e = entries.get(service);
    if (e == null || !e.configVersion().equals(configVersion)) return Duration.ZERO;
    Duration left = Duration.between(now, e.until());
    return left.isNegative() ? Duration.ZERO : left;
  }

  void forget(String service) {
    entries.remove(service);
  }
}
