package mdo.marathon.events;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import mdo.marathon.MarathonClient;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marathon's {@code GET /v2/events} stream (API.md §2.1) on okhttp-sse, which does the framing (CRLF, blank-line
 * heartbeats, data-only events of Marathon < 0.11). This class owns what okhttp-sse leaves out:
 *
 * <ol>
 *   <li>{@code Accept} is exactly {@code text/event-stream} (anything else gets 405), with {@code event_type} filters
 *       and {@code plan-format=light}.
 *   <li>A dead stream is detected by the read timeout of a client derived from the shared one: Marathon writes a
 *       heartbeat every 10 s, so {@code idleTimeout} of silence means the connection is gone.
 *   <li>A 302 from a standby is followed by the shared client's interceptor, keeping {@code Accept} and credentials.
 *   <li>Any end of the stream (EOF, error, timeout) reconnects after a jittered exponential backoff, moving on to the
 *       next Marathon URL; the backoff resets once an event arrives on the new stream.
 *   <li>{@link Listener#onConnected} fires on every (re)connect: events missed in between are lost (no event ids), so
 *       the listener must resync.
 * </ol>
 */
public final class MarathonEventStream implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MarathonEventStream.class);

  /** Called on OkHttp's reader thread; implementations hand work off quickly. */
  public interface Listener {
    void onConnected(URI url);

    void onEvent(MarathonEvent event, long receivedNanos);

    void onMalformed(String type, String reason);

    void onDisconnected(String reason);
  }

  private final MarathonClient client;
  private final EventSource.Factory factory;
  private final List<String> eventTypes;
  private final Listener listener;
  private final ScheduledExecutorService scheduler;
  private final Backoff backoff;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile EventSource current;
  private volatile boolean connected;
  private long generation;

  public MarathonEventStream(MarathonClient client, Duration idleTimeout, List<String> eventTypes, Listener listener,
      ScheduledExecutorService scheduler, Backoff backoff) {
    this.client = client;
    OkHttpClient streaming = client.http().newBuilder().readTimeout(idleTimeout).callTimeout(Duration.ZERO).build();
    this.factory = EventSources.createFactory(streaming);
    this.eventTypes = List.copyOf(eventTypes);
    this.listener = listener;
    this.scheduler = scheduler;
    this.backoff = backoff;
  }

  public void start() {
    connect();
  }

  public boolean connected() {
    return connected;
  }

  /** The request for one connection attempt; public so tests can assert the exact headers and query. */
  public Request request(URI base) {
    HttpUrl.Builder url = HttpUrl.get(base + "/v2/events").newBuilder();
    for (String type : eventTypes) url.addQueryParameter("event_type", type);
    url.addQueryParameter("plan-format", "light");
    return new Request.Builder().url(url.build()).header("Accept", "text/event-stream").build();
  }

  private synchronized void connect() {
    if (closed.get()) return;
    long id = ++generation;
    URI base = client.preferredUrl();
    current = factory.newEventSource(request(base), new StreamListener(id, base));
  }

  private synchronized boolean isCurrent(long id) {
    return id == generation && !closed.get();
  }

  private synchronized void reconnectLater(long id, String reason) {
    if (id != generation || closed.get()) return;
    generation++; // later callbacks of this source are stale
    boolean wasConnected = connected;
    connected = false;
    if (current != null) current.cancel();
    client.failOver();
    Duration delay = backoff.next();
    log.warn("disconnected: event stream {} ({}); reconnecting in {} ms", wasConnected ? "lost" : "not opened",
        reason, delay.toMillis());
    listener.onDisconnected(reason);
    scheduler.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    connected = false;
    EventSource source = current;
    if (source != null) source.cancel();
  }

  private final class StreamListener extends EventSourceListener {
    private final long id;
    private final URI base;
    private boolean sawEvent;

    StreamListener(long id, URI base) {
      this.id = id;
      this.base = base;
    }

    @Override
    public void onOpen(EventSource source, Response response) {
      if (!isCurrent(id)) return;
      connected = true;
      log.info("connected: event stream {}", response.request().url().newBuilder().query(null).build());
      listener.onConnected(base);
    }

    @Override
    public void onEvent(EventSource source, String eventId, String type, String data) {
      if (!isCurrent(id)) return;
      long received = System.nanoTime();
      if (!sawEvent) {
        sawEvent = true;
        synchronized (MarathonEventStream.this) {
          backoff.reset();
        }
      }
      if (data == null || data.isBlank()) return;
      try {
        listener.onEvent(MarathonEvents.parse(data), received);
      } catch (MalformedEventException e) {
        listener.onMalformed(e.type() != null && !"unknown".equals(e.type()) ? e.type() : type, e.getMessage());
      } catch (RuntimeException e) {
        // A listener bug must not kill the stream; the next resync repairs what this event would have done.
        listener.onMalformed(type, "listener failed: " + e);
      }
    }

    @Override
    public void onClosed(EventSource source) {
      reconnectLater(id, "closed by server");
    }

    @Override
    public void onFailure(EventSource source, Throwable t, Response response) {
      String reason;
      if (response != null && !response.isSuccessful()) {
        reason = "HTTP " + response.code() + (response.code() == 405 ? " (Accept must be exactly text/event-stream)" : "");
      } else if (t != null) {
        reason = t.getClass().getSimpleName() + ": " + t.getMessage();
      } else {
        reason = "unexpected response " + (response == null ? "" : response.code() + " " + response.header("Content-Type"));
      }
      reconnectLater(id, reason);
    }
  }
}
