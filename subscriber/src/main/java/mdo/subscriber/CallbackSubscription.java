package mdo.subscriber;

import java.util.function.Supplier;
import mdo.marathon.MarathonClient;
import mdo.marathon.MarathonException;
import mdo.marathon.MarathonUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriber's registration at Marathon's {@code /v2/eventSubscriptions} (callback mode, Marathon < 1.5): made at
 * start, checked on every probe because Marathon forgets subscribers (marathon-lb #230) and skips failing ones, removed
 * on a clean shutdown. Start, probes and close take one lock, or each would register its own.
 */
final class CallbackSubscription {
  private static final Logger log = LoggerFactory.getLogger(CallbackSubscription.class);

  private final MarathonClient marathon;
  private final Supplier<String> url;
  private final ResyncTrigger resyncs;
  private boolean subscribed;
  private boolean closed;

  /** @param url the callback URL; known only once the server listens (port 0 in tests) */
  CallbackSubscription(MarathonClient marathon, Supplier<String> url, ResyncTrigger resyncs) {
    this.marathon = marathon;
    this.url = url;
    this.resyncs = resyncs;
  }

  /** Registers the callback URL unless Marathon already lists it; a re-registration is followed by a resync. */
  synchronized void ensure() {
    if (closed) return;
    String callback = url.get();
    try {
      if (subscribed && marathon.eventSubscriptions().contains(callback)) return;
      marathon.subscribe(callback);
      if (subscribed) {
        log.warn("resubscribed: Marathon had dropped callback {}", callback);
        resyncs.request("callback resubscribed", false);
      } else {
        log.info("subscribed: Marathon HTTP callbacks to {}", callback);
      }
      subscribed = true;
    } catch (MarathonException | MarathonUnavailableException e) {
      log.warn("failed: subscribing callback {}: {}", callback, e.getMessage());
    }
  }

  /** Unregisters; nothing registers after this. */
  synchronized void close() {
    closed = true;
    if (!subscribed) return;
    try {
      marathon.unsubscribe(url.get());
      log.info("unsubscribed: Marathon HTTP callbacks {}", url.get());
    } catch (RuntimeException e) {
      log.warn("failed: unsubscribing callback: {}", e.getMessage());
    }
  }
}
