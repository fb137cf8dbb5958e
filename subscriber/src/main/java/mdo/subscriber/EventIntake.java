package mdo.subscriber;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.concurrent.atomic.AtomicLong;
import mdo.command.UntrustedText;
import mdo.marathon.MarathonClusterView.ReceivedEvent;
import mdo.marathon.events.MarathonEvent;
import mdo.marathon.events.MarathonEventStream;
import mdo.registry.writer.RegistryWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where Marathon's events enter: from the SSE stream (trusted: applied through the per-app queue) or from HTTP
 * callbacks (they carry no credentials: they only ever trigger a refetch of apps Marathon last listed, at most
 * {@link #MAX_APPS_PER_CALLBACK} of them; an unknown app of this environment asks for a resync, at most every
 * {@link #NEW_APP_RESYNC_GAP}). Every (re)connect of the stream asks for a resync, which heals whatever was missed while
 * it was down.
 */
final class EventIntake implements MarathonEventStream.Listener {
  private static final Logger log = LoggerFactory.getLogger(EventIntake.class);
  /** More apps than this in one callback event (a large group deployment) cost one resync instead of one GET each. */
  static final int MAX_APPS_PER_CALLBACK = 100;
  static final Duration NEW_APP_RESYNC_GAP = Duration.ofSeconds(5);
  /** A Marathon path segment (API.md §3.1). */
  private static final Pattern SEGMENT = Pattern.compile("([a-z0-9]|[a-z0-9][a-z0-9.-]*[a-z0-9])");

  private final RegistryWriter writer;
  private final AppQueue queue;
  private final SubscriberMetrics metrics;
  private final ResyncTrigger resyncs;
  private final KnownApps known;
  private final String appPrefix;
  private final AtomicLong lastNewAppResync = new AtomicLong(System.nanoTime() - NEW_APP_RESYNC_GAP.toNanos());
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong lastEventNanos = new AtomicLong();
  private final AtomicLong connects = new AtomicLong();

  EventIntake(RegistryWriter writer, AppQueue queue, SubscriberMetrics metrics, ResyncTrigger resyncs, KnownApps known) {
    this.writer = writer;
    this.queue = queue;
    this.metrics = metrics;
    this.resyncs = resyncs;
    this.known = known;
    this.appPrefix = "/" + writer.environment() + "/";
  }

  /** Events received from the stream so far. */
  long received() {
    return received.get();
  }

  /** {@link System#nanoTime()} of the last event, 0 before the first. */
  long lastEventNanos() {
    return lastEventNanos.get();
  }

  long connects() {
    return connects.get();
  }

  /** An event from the stream. */
  void accept(MarathonEvent event, long receivedNanos) {
    lastEventNanos.set(System.nanoTime());
    received.incrementAndGet();
    writer.observed(event.timestamp());
    if (event.appIds().isEmpty()) {
      metrics.event(event.type(), "ignored");
      return;
    }
    queue.offer(new ReceivedEvent(event, receivedNanos));
  }

  /** An event POSTed to {@code /callback}. */
  void acceptCallback(MarathonEvent event) {
    lastEventNanos.set(System.nanoTime());
    List<String> apps = event.appIds();
    if (apps.size() > MAX_APPS_PER_CALLBACK) {
      metrics.event(event.type(), "refresh");
      log.info("callback: {} names {} apps (more than {}): one resync instead of a refresh each",
          UntrustedText.escape(event.type()), apps.size(), MAX_APPS_PER_CALLBACK);
      resyncs.request("callback naming " + apps.size() + " apps", false);
      return;
    }
    boolean refresh = false;
    boolean newApp = false;
    for (String appId : apps) {
      if (known.contains(appId)) {
        queue.refresh(appId);
        refresh = true;
      } else if (ours(appId)) {
        newApp = true;
      }
    }
    metrics.event(event.type(), refresh || newApp ? "refresh" : "ignored");
    long now = System.nanoTime();
    long last = lastNewAppResync.get();
    if (newApp && now - last >= NEW_APP_RESYNC_GAP.toNanos() && lastNewAppResync.compareAndSet(last, now)) {
      resyncs.request("callback naming an app not listed yet", false);
    }
  }

  /** Whether {@code appId} is a well-formed id under this environment's group ({@code /<environment>/...}). */
  private boolean ours(String appId) {
    if (!appId.startsWith(appPrefix) || appId.length() > 512) return false;
    for (String segment : appId.substring(appPrefix.length()).split("/", -1)) {
      if (!SEGMENT.matcher(segment).matches()) return false;
    }
    return true;
  }

  /** A malformed event: counted, and logged with the sender's text escaped and cut. */
  void malformed(String type, String reason) {
    metrics.event(type, "malformed");
    log.warn("skipped: malformed {} event: {}", type == null ? "unknown" : UntrustedText.escape(type),
        UntrustedText.escape(reason, 500));
  }

  @Override
  public void onConnected(URI url) {
    if (connects.incrementAndGet() > 1) metrics.reconnected();
    resyncs.request("stream connected", false);
  }

  @Override
  public void onEvent(MarathonEvent event, long receivedNanos) {
    try {
      accept(event, receivedNanos);
    } catch (RuntimeException e) { // never let one event end the stream's reading thread
      metrics.internalError("intake");
      log.error("failed: taking in a {} event; skipped, the next resync repairs what it changed", event.type(), e);
    }
  }

  @Override
  public void onMalformed(String type, String reason) {
    malformed(type, reason);
  }

  @Override
  public void onDisconnected(String reason) {
    // reconnect and the resync that follows are the stream's job
  }
}
