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
 * @param token the operators' admin credential (bearer token): resyncs, forced resyncs, every callback registration,
 *     endpoints in /health. No task ever gets it. {@code null} = only callers on the subscriber's own host (loopback)
 *     are trusted, and only with requests a browser cannot forge (see docs/security.md)
 * @param events where events come from: the SSE stream (Marathon >= 0.9, the default) or HTTP callbacks (< 1.5)
 * @param resyncInterval period of the full resync against Marathon
 * @param resyncUnhealthyAfter how long resyncs may keep failing before {@code /health} answers 503 (a failure or two
 *     is retried with backoff and only reported)
 * @param streamIdleTimeout no bytes (not even Marathon's 10 s heartbeat) for this long = a dead stream
 * @param callbackAllow when not empty, callback URLs must match one of these hosts or CIDRs; private, loopback and
 *     CGNAT addresses are reachable only through a CIDR listed here
 * @param registrationSecret the key per-service registration tokens are derived from ({@code RegistrationTokens}):
 *     the launcher gives each task its service's token, the subscriber checks it; {@code null} = no per-service
 *     tokens, so only the admin credential (or loopback without one) may register callbacks
 * @param callbackSources when not empty, Marathon's HTTP callbacks are accepted only from these CIDRs or host names
 */
public record SubscriberSettings(
    String host,
    int port,
    URI url,
    String token,
    EventSource events,
    Duration resyncInterval,
    Duration resyncUnhealthyAfter,
    Duration streamIdleTimeout,
    List<String> callbackAllow,
    String registrationSecret,
    List<String> callbackSources) {

  public enum EventSource { SSE, CALLBACK }

  public static final int DEFAULT_PORT = 5000;
  public static final Duration DEFAULT_RESYNC = Duration.ofSeconds(60);
  public static final Duration DEFAULT_RESYNC_UNHEALTHY_AFTER = Duration.ofMinutes(5);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(35);

  public SubscriberSettings {
    if (host == null || host.isBlank()) host = "127.0.0.1";
    if (port < 0 || port > 65535) throw new IllegalArgumentException("subscriber.port out of range: " + port);
    if (url == null) url = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
    if (events == null) events = EventSource.SSE;
    if (resyncInterval == null) resyncInterval = DEFAULT_RESYNC;
    if (resyncUnhealthyAfter == null) resyncUnhealthyAfter = DEFAULT_RESYNC_UNHEALTHY_AFTER;
    if (streamIdleTimeout == null) streamIdleTimeout = DEFAULT_IDLE_TIMEOUT;
    callbackAllow = callbackAllow == null ? List.of() : List.copyOf(callbackAllow);
    Objects.requireNonNull(url);
    if (url.getRawUserInfo() != null) {
      throw new IllegalArgumentException("the subscriber URL must not carry credentials (user:password@host): tasks"
          + " and Marathon get it, and it is logged");
    }
    token = token == null || token.isBlank() ? null : token;
    registrationSecret = registrationSecret == null || registrationSecret.isBlank() ? null : registrationSecret;
    if (token != null && token.equals(registrationSecret)) {
      throw new IllegalArgumentException("the subscriber's admin token and registration secret must differ");
    }
    callbackSources = callbackSources == null ? List.of() : List.copyOf(callbackSources);
  }

  /** Without a registration secret and callback sources (tests, flags that do not set them). */
  public SubscriberSettings(String host, int port, URI url, String token, EventSource events, Duration resyncInterval,
      Duration resyncUnhealthyAfter, Duration streamIdleTimeout, List<String> callbackAllow) {
    this(host, port, url, token, events, resyncInterval, resyncUnhealthyAfter, streamIdleTimeout, callbackAllow, null,
        null);
  }

  public SubscriberSettings withRegistrationSecret(String secret) {
    return new SubscriberSettings(host, port, url, token, events, resyncInterval, resyncUnhealthyAfter, streamIdleTimeout,
        callbackAllow, secret, callbackSources);
  }

  public SubscriberSettings withCallbackSources(List<String> sources) {
    return new SubscriberSettings(host, port, url, token, events, resyncInterval, resyncUnhealthyAfter, streamIdleTimeout,
        callbackAllow, registrationSecret, sources);
  }

  public static SubscriberSettings defaults() {
    return new SubscriberSettings(null, DEFAULT_PORT, null, null, null, null, null, null, null, null, null);
  }

  @Override
  public String toString() {
    return "SubscriberSettings[host=" + host + ", port=" + port + ", url=" + url + ", token=" + (token == null ? "none" : "***")
        + ", registrationSecret=" + (registrationSecret == null ? "none" : "***") + ", events=" + events
        + ", resyncInterval=" + resyncInterval + "]";
  }
}
