package mdo.subscriber.callbacks;

import java.time.Duration;
import java.util.List;

/**
 * How the subscriber takes and delivers callback registrations.
 *
 * @param token the admin credential: every registration, of any service, listed and deleted; {@code null} or blank:
 *     callers on this host (loopback) act as admin
 * @param registrationSecret the key of the per-service registration tokens tasks hold ({@code RegistrationTokens});
 *     {@code null}: no per-service tokens, only the admin (or loopback) may register
 * @param allowlist when not empty, a callback URL's host must match an entry: a CIDR ({@code 10.0.0.0/8},
 *     {@code fd00::/8}), a host name ({@code recv.internal}) or a domain wildcard ({@code *.svc.internal}); private
 *     and loopback addresses are reachable only through a CIDR entry ({@link CallbackUrlValidator})
 * @param allowLoopback accept 127.0.0.0/8 and ::1 targets (tests, single-machine clusters); off by default because a
 *     loopback URL reaches the subscriber's own host (etcd's client port, for one)
 * @param requestTimeout the whole of one delivery attempt: connect, send, wait for the answer
 * @param coalesce registry changes within this window become one notification per service
 * @param initialBackoff first retry delay; doubled per attempt up to {@code maxBackoff}, with jitter
 * @param maxAttempts attempts per notification; after the last one the receiver is retried at the next change or
 *     sweep, with the then-current members
 * @param orphanGrace a registration whose task was never seen in the registry is removed after this long
 * @param sweepInterval how often registrations are re-read from etcd, orphans removed and undelivered state re-offered
 * @param maxRegistrations refuse new registrations beyond this many in the environment
 * @param maxPerService refuse a service's tasks more registrations than this, together
 * @param maxPerTask refuse one task more registrations than this
 */
public record CallbackSettings(
    String token, String registrationSecret, List<String> allowlist, boolean allowLoopback, Duration requestTimeout,
    Duration coalesce, Duration initialBackoff, Duration maxBackoff, int maxAttempts, Duration orphanGrace,
    Duration sweepInterval, int maxRegistrations, int maxPerService, int maxPerTask) {

  public CallbackSettings {
    token = token == null || token.isBlank() ? null : token;
    registrationSecret = registrationSecret == null || registrationSecret.isBlank() ? null : registrationSecret;
    allowlist = allowlist == null ? List.of() : List.copyOf(allowlist);
    new Networks(allowlist); // a bad CIDR fails here, at start
    if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
    if (initialBackoff.compareTo(maxBackoff) >= 0) throw new IllegalArgumentException("initialBackoff must be below maxBackoff");
    if (maxPerTask < 1 || maxPerService < maxPerTask || maxRegistrations < maxPerService) {
      throw new IllegalArgumentException("quotas must grow from task to service to total, each at least 1");
    }
  }

  public static CallbackSettings defaults() {
    return new CallbackSettings(null, null, List.of(), false, Duration.ofSeconds(5), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(60), 10, Duration.ofMinutes(2), Duration.ofSeconds(30), 1000, 100, 5);
  }

  public CallbackSettings withToken(String t) {
    return new CallbackSettings(t, registrationSecret, allowlist, allowLoopback, requestTimeout, coalesce,
        initialBackoff, maxBackoff, maxAttempts, orphanGrace, sweepInterval, maxRegistrations, maxPerService, maxPerTask);
  }

  public CallbackSettings withRegistrationSecret(String secret) {
    return new CallbackSettings(token, secret, allowlist, allowLoopback, requestTimeout, coalesce, initialBackoff,
        maxBackoff, maxAttempts, orphanGrace, sweepInterval, maxRegistrations, maxPerService, maxPerTask);
  }

  public CallbackSettings withAllowlist(List<String> list) {
    return new CallbackSettings(token, registrationSecret, list, allowLoopback, requestTimeout, coalesce,
        initialBackoff, maxBackoff, maxAttempts, orphanGrace, sweepInterval, maxRegistrations, maxPerService, maxPerTask);
  }

  public CallbackSettings withAllowLoopback(boolean allow) {
    return new CallbackSettings(token, registrationSecret, allowlist, allow, requestTimeout, coalesce, initialBackoff,
        maxBackoff, maxAttempts, orphanGrace, sweepInterval, maxRegistrations, maxPerService, maxPerTask);
  }

  public CallbackSettings withDelivery(Duration timeout, Duration initial, Duration max, int attempts) {
    return new CallbackSettings(token, registrationSecret, allowlist, allowLoopback, timeout, coalesce, initial, max,
        attempts, orphanGrace, sweepInterval, maxRegistrations, maxPerService, maxPerTask);
  }

  public CallbackSettings withTiming(Duration coalesceWindow, Duration grace, Duration sweep) {
    return new CallbackSettings(token, registrationSecret, allowlist, allowLoopback, requestTimeout, coalesceWindow,
        initialBackoff, maxBackoff, maxAttempts, grace, sweep, maxRegistrations, maxPerService, maxPerTask);
  }

  public CallbackSettings withQuotas(int total, int perService, int perTask) {
    return new CallbackSettings(token, registrationSecret, allowlist, allowLoopback, requestTimeout, coalesce,
        initialBackoff, maxBackoff, maxAttempts, orphanGrace, sweepInterval, total, perService, perTask);
  }

  @Override
  public String toString() {
    return "CallbackSettings[token=" + (token == null ? "none" : "***") + ", registrationSecret="
        + (registrationSecret == null ? "none" : "***") + ", allowlist=" + allowlist + ", allowLoopback="
        + allowLoopback + ", requestTimeout=" + requestTimeout + ", maxAttempts=" + maxAttempts + ", quotas="
        + maxRegistrations + "/" + maxPerService + "/" + maxPerTask + "]";
  }
}
