package mdo.subscriber.callbacks;

import java.time.Duration;
import java.util.List;

/**
 * How the subscriber takes and delivers callback registrations.
 *
 * @param token bearer token required by every {@code /v1/callbacks} endpoint; {@code null} or blank: only callers on
 *     this host (loopback) are accepted
 * @param allowlist when not empty, a callback URL's host must match an entry: a CIDR ({@code 10.0.0.0/8},
 *     {@code fd00::/8}), a host name ({@code recv.internal}) or a domain wildcard ({@code *.svc.internal})
 * @param allowLoopback accept 127.0.0.0/8 and ::1 targets (tests, single-machine clusters); off by default because a
 *     loopback URL reaches the subscriber's own host (etcd's client port, for one)
 * @param requestTimeout the whole of one delivery attempt: connect, send, wait for the answer
 * @param coalesce registry changes within this window become one notification per service
 * @param initialBackoff first retry delay; doubled per attempt up to {@code maxBackoff}, with jitter
 * @param maxAttempts attempts per notification; after the last one the receiver is retried at the next change or
 *     sweep, with the then-current members
 * @param orphanGrace a registration whose task was never seen in the registry is removed after this long
 * @param sweepInterval how often registrations are re-read from etcd, orphans removed and undelivered state re-offered
 * @param maxRegistrations refuse new registrations beyond this many
 */
public record CallbackSettings(
    String token, List<String> allowlist, boolean allowLoopback, Duration requestTimeout, Duration coalesce,
    Duration initialBackoff, Duration maxBackoff, int maxAttempts, Duration orphanGrace, Duration sweepInterval,
    int maxRegistrations) {

  public CallbackSettings {
    token = token == null || token.isBlank() ? null : token;
    allowlist = allowlist == null ? List.of() : List.copyOf(allowlist);
    if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
    if (initialBackoff.compareTo(maxBackoff) > 0) throw new IllegalArgumentException("initialBackoff exceeds maxBackoff");
  }

  public static CallbackSettings defaults() {
    return new CallbackSettings(null, List.of(), false, Duration.ofSeconds(5), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(60), 10, Duration.ofMinutes(2), Duration.ofSeconds(30), 1000);
  }

  public CallbackSettings withToken(String t) {
    return new CallbackSettings(t, allowlist, allowLoopback, requestTimeout, coalesce, initialBackoff, maxBackoff,
        maxAttempts, orphanGrace, sweepInterval, maxRegistrations);
  }

  public CallbackSettings withAllowlist(List<String> list) {
    return new CallbackSettings(token, list, allowLoopback, requestTimeout, coalesce, initialBackoff, maxBackoff,
        maxAttempts, orphanGrace, sweepInterval, maxRegistrations);
  }

  public CallbackSettings withAllowLoopback(boolean allow) {
    return new CallbackSettings(token, allowlist, allow, requestTimeout, coalesce, initialBackoff, maxBackoff,
        maxAttempts, orphanGrace, sweepInterval, maxRegistrations);
  }

  public CallbackSettings withDelivery(Duration timeout, Duration initial, Duration max, int attempts) {
    return new CallbackSettings(token, allowlist, allowLoopback, timeout, coalesce, initial, max, attempts,
        orphanGrace, sweepInterval, maxRegistrations);
  }

  public CallbackSettings withTiming(Duration coalesceWindow, Duration grace, Duration sweep) {
    return new CallbackSettings(token, allowlist, allowLoopback, requestTimeout, coalesceWindow, initialBackoff,
        maxBackoff, maxAttempts, grace, sweep, maxRegistrations);
  }

  @Override
  public String toString() {
    return "CallbackSettings[token=" + (token == null ? "none" : "***") + ", allowlist=" + allowlist
        + ", allowLoopback=" + allowLoopback + ", requestTimeout=" + requestTimeout + ", maxAttempts=" + maxAttempts + "]";
  }
}
