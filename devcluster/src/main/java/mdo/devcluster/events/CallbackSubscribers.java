package mdo.devcluster.events;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mdo.command.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The legacy HTTP callback bus ({@code /v2/eventSubscriptions}, Marathon ≤1.4). Every event is POSTed to every
 * subscriber concurrently. As in Marathon's {@code HttpEventActor}, a subscriber that fails or answers slower than
 * the timeout is skipped for 2^n seconds (n = consecutive failures, here capped at {@value #MAX_SKIP_SECONDS} s) and
 * the events of that window are not queued. A hanging subscriber never holds up the others or the SSE streams.
 */
public final class CallbackSubscribers implements EventBus.Listener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CallbackSubscribers.class);
  static final int MAX_SKIP_SECONDS = 60;
  /** Deliveries in flight to one subscriber beyond which further events are dropped for it. */
  static final int MAX_IN_FLIGHT = 64;
  private static final Set<String> METADATA_HOSTS = Set.of("metadata", "metadata.google.internal", "169.254.169.254");

  private final Map<String, Subscriber> subscribers = new ConcurrentHashMap<>();
  private final ExecutorService executor = Executors.newFixedThreadPool(2, DaemonThreads.factory("devcluster-callbacks"));
  private final HttpClient client;
  private final Duration timeout;

  public CallbackSubscribers(Duration timeout) {
    this.timeout = timeout;
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(timeout)
        .executor(executor)
        .build();
  }

  private static final class Subscriber {
    final URI uri;
    final AtomicInteger inFlight = new AtomicInteger();
    volatile int failures;
    volatile long skipUntilNanos;

    Subscriber(URI uri) {
      this.uri = uri;
    }
  }

  /** Why a callback URL is refused, or null when it is acceptable. */
  public static String problem(String url) {
    if (url == null || url.isBlank()) return "callbackUrl is required";
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return "is not a valid URL: " + e.getMessage();
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) return "must be an http or https URL";
    String host = uri.getHost();
    if (host == null || host.isBlank()) return "must name a host";
    if (METADATA_HOSTS.contains(host.toLowerCase())) return "must not point at a cloud metadata service";
    if (isLinkLocal(host)) return "must not point at a link-local address";
    return null;
  }

  /** Only literal addresses are checked; names are not resolved here (no DNS traffic on subscribe). */
  private static boolean isLinkLocal(String host) {
    String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (!literal.matches("[0-9.]+") && !literal.contains(":")) return false;
    try {
      return InetAddress.getByName(literal).isLinkLocalAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  public List<String> urls() {
    return subscribers.keySet().stream().sorted().toList();
  }

  /** Idempotent, as in Marathon. The caller validated the URL with {@link #problem}. */
  public void add(String url) {
    subscribers.computeIfAbsent(url, u -> new Subscriber(URI.create(u)));
    log.info("subscribed: {}", url);
  }

  /** Unknown URLs are fine (Marathon only logs a warning). */
  public void remove(String url) {
    if (subscribers.remove(url) == null) {
      log.warn("unsubscribe of unknown callback: {}", url);
    } else {
      log.info("unsubscribed: {}", url);
    }
  }

  @Override
  public void onEvent(EventBus.Event event) {
    long now = System.nanoTime();
    for (Subscriber subscriber : subscribers.values()) {
      if (now - subscriber.skipUntilNanos < 0) continue;
      if (subscriber.inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
        subscriber.inFlight.decrementAndGet();
        continue;
      }
      HttpRequest request = HttpRequest.newBuilder(subscriber.uri)
          .timeout(timeout)
          .header("Content-Type", "application/json")
          .header("Accept", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(event.json()))
          .build();
      client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .whenComplete((response, error) -> delivered(subscriber, response, error));
    }
  }

  private void delivered(Subscriber subscriber, HttpResponse<Void> response, Throwable error) {
    subscriber.inFlight.decrementAndGet();
    if (error == null && response.statusCode() / 100 == 2) {
      if (subscriber.failures > 0) log.info("recovered: callback {}", subscriber.uri);
      subscriber.failures = 0;
      return;
    }
    int failures = ++subscriber.failures;
    long skipSeconds = Math.min(MAX_SKIP_SECONDS, 1L << Math.min(failures, 20));
    subscriber.skipUntilNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(skipSeconds);
    String why = error != null ? error.getClass().getSimpleName() + ": " + error.getMessage()
        : "HTTP " + response.statusCode();
    log.warn("skipping: callback {} for {} s after {} failure(s) ({})", subscriber.uri, skipSeconds, failures, why);
  }

  @Override
  public void close() {
    subscribers.clear();
    executor.shutdownNow();
  }
}
