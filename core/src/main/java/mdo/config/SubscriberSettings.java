package mdo.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The {@code subscriber:} section of config.yaml.
 *
 * @param host address the subscriber binds (seed field)
 * @param port port it serves /info, /health, /metrics, /v1/... and the Marathon callback on (seed field)
 * @param url the URL tasks and Marathon use to reach it ({@code SUBSCRIBER_URL}); default {@code http://host:port}
 * @param token bearer token required by every state-changing endpoint; {@code null} = those endpoints refuse all
 *     callers except from loopback
 * @param events where events come from: the SSE stream (Marathon >= 0.9, the default) or HTTP callbacks (< 1.5)
 * @param resyncInterval period of the full resync against Marathon
 * @param maxDeleteFraction a resync that would delete more than this fraction of records refuses
 * @param streamIdleTimeout no bytes (not even Marathon's 10 s heartbeat) for this long = a dead stream
 * @param callbackAllow when not empty, callback URLs must match one of these hosts or CIDRs
 */
public record SubscriberSettings(
    String host,
    int port,
    URI url,
    String token,
    EventSource events,
    Duration resyncInterval,
    double maxDeleteFraction,
    Duration streamIdleTimeout,
    List<String> callbackAllow) {

  public enum EventSource { SSE, CALLBACK }

  public static final int DEFAULT_PORT = 5000;
  public static final Duration DEFAULT_RESYNC = Duration.ofSeconds(60);
  public static final double DEFAULT_MAX_DELETE_FRACTION = 0.5;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(35);

  public SubscriberSettings {
    if (host == null || host.isBlank()) host = "127.0.0.1";
    if (port < 0 || port > 65535) throw new IllegalArgumentException("subscriber.port out of range: " + port);
    if (url == null) url = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
    if (events == null) events = EventSource.SSE;
    if (resyncInterval == null) resyncInterval = DEFAULT_RESYNC;
    if (maxDeleteFraction <= 0 || maxDeleteFraction > 1) maxDeleteFraction = DEFAULT_MAX_DELETE_FRACTION;
    if (streamIdleTimeout == null) streamIdleTimeout = DEFAULT_IDLE_TIMEOUT;
    callbackAllow = callbackAllow == null ? List.of() : List.copyOf(callbackAllow);
    Objects.requireNonNull(url);
  }

  public static SubscriberSettings defaults() {
    return new SubscriberSettings(null, DEFAULT_PORT, null, null, null, null, 0, null, null);
  }

  @Override
  public String toString() {
    return "SubscriberSettings[host=" + host + ", port=" + port + ", url=" + url + ", token=" + (token == null ? "none" : "***")
        + ", events=" + events + ", resyncInterval=" + resyncInterval + "]";
  }
}
