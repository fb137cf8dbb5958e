package mdo.subscriber;

import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;
import mdo.marathon.MarathonClusterView.ReceivedEvent;
import mdo.marathon.events.MarathonEvent;
import mdo.marathon.events.MarathonEventStream;
import mdo.registry.writer.RegistryWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where Marathon's events enter: from the SSE stream (trusted: applied through the per-app queue) or from HTTP
 * callbacks (not authenticated: they only ever trigger a refetch of the apps they name). Every (re)connect of the
 * stream asks for a resync, which heals whatever was missed while it was down.
 */
final class EventIntake implements MarathonEventStream.Listener {
  private static final Logger log = LoggerFactory.getLogger(EventIntake.class);

  private final RegistryWriter writer;
  private final AppQueue queue;
  private final SubscriberMetrics metrics;
  private final ResyncTrigger resyncs;
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong lastEventNanos = new AtomicLong();
  private final AtomicLong connects = new AtomicLong();

  EventIntake(RegistryWriter writer, AppQueue queue, SubscriberMetrics metrics, ResyncTrigger resyncs) {
    this.writer = writer;
    this.queue = queue;
    this.metrics = metrics;
    this.resyncs = resyncs;
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
    metrics.event(event.type(), event.appIds().isEmpty() ? "ignored" : "refresh");
    for (String appId : event.appIds()) queue.refresh(appId);
  }

  void malformed(String type, String reason) {
    metrics.event(type, "malformed");
    log.warn("skipped: malformed {} event: {}", type == null ? "unknown" : type, reason);
  }

  @Override
  public void onConnected(URI url) {
    if (connects.incrementAndGet() > 1) metrics.reconnected();
    resyncs.request("stream connected", false);
  }

  @Override
  public void onEvent(MarathonEvent event, long receivedNanos) {
    accept(event, receivedNanos);
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
