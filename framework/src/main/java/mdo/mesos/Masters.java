package mdo.mesos;

import java.net.URI;
import java.util.List;
import okhttp3.HttpUrl;

/**
 * The configured masters' scheduler endpoints and which one to try next. A redirect names the leader, which is then
 * tried first until an attempt on it fails; failures move on to the next configured master, round robin.
 */
final class Masters {
  static final String SCHEDULER_PATH = "/api/v1/scheduler";

  private final List<HttpUrl> configured;
  private int next;
  private HttpUrl leader;

  Masters(List<URI> bases) {
    this.configured = bases.stream().map(base -> HttpUrl.get(base + SCHEDULER_PATH)).toList();
  }

  synchronized HttpUrl current() {
    return leader != null ? leader : configured.get(next);
  }

  synchronized void leaderIs(HttpUrl url) {
    leader = url;
  }

  /** The current master failed: forget the leader we were sent to, or move past the configured one. */
  synchronized void failOver() {
    if (leader != null) {
      leader = null;
    } else {
      next = (next + 1) % configured.size();
    }
  }

  /** Credentials go only to a configured master: same scheme, host and port. */
  boolean isConfigured(HttpUrl url) {
    for (HttpUrl m : configured) {
      if (m.scheme().equals(url.scheme()) && m.host().equals(url.host()) && m.port() == url.port()) return true;
    }
    return false;
  }

  /**
   * Where a 307 points: the master sends a protocol-relative {@code //host:port/master/api/v1/scheduler} (API.md C1),
   * resolved against the request's scheme. Null when the header is missing or not an http(s) URL.
   */
  static HttpUrl redirectTarget(HttpUrl from, String location) {
    if (location == null || location.isBlank()) return null;
    return from.resolve(location.trim());
  }

  @Override
  public synchronized String toString() {
    return configured.toString();
  }
}
