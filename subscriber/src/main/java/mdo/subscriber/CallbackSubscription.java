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
 *
 * <p>The URL ends in a secret ({@code <url>/callback/<secret>}, a new one per start), so it is logged as
 * {@code .../callback/***}. Registrations of earlier runs of this subscriber (same URL up to the secret; a crash left
 * them behind) are removed, or Marathon would keep posting to them.
 */
final class CallbackSubscription {
  private static final Logger log = LoggerFactory.getLogger(CallbackSubscription.class);
  static final String PATH = "/callback";

  private final MarathonClient marathon;
  private final Supplier<String> url;
  private final ResyncTrigger resyncs;
  private boolean subscribed;
  private boolean closed;

  /** @param url the callback URL, {@code <base>/callback/<secret>}; known only once the server listens (port 0 in tests) */
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
      java.util.List<String> listed = marathon.eventSubscriptions();
      removeEarlierRuns(listed, callback);
      if (subscribed && listed.contains(callback)) return;
      marathon.subscribe(callback);
      if (subscribed) {
        log.warn("resubscribed: Marathon had dropped callback {}", redacted(callback));
        resyncs.request("callback resubscribed", false);
      } else {
        log.info("subscribed: Marathon HTTP callbacks to {}", redacted(callback));
      }
      subscribed = true;
    } catch (MarathonException | MarathonUnavailableException e) {
      log.warn("failed: subscribing callback {}: {}", redacted(callback), e.getMessage());
    }
  }

  private void removeEarlierRuns(java.util.List<String> listed, String callback) {
    String base = base(callback);
    for (String other : listed) {
      if (other.equals(callback) || !(other.equals(base) || other.startsWith(base + "/"))) continue;
      marathon.unsubscribe(other);
      log.info("unsubscribed: an earlier run's Marathon callback {}", redacted(other));
    }
  }

  /** Unregisters; nothing registers after this. */
  synchronized void close() {
    closed = true;
    if (!subscribed) return;
    try {
      marathon.unsubscribe(url.get());
      log.info("unsubscribed: Marathon HTTP callbacks {}", redacted(url.get()));
    } catch (RuntimeException e) {
      log.warn("failed: unsubscribing callback: {}", e.getMessage());
    }
  }

  /** {@code <base>/callback} of a callback URL. */
  private static String base(String callback) {
    int at = callback.lastIndexOf(PATH + "/");
    return at < 0 ? callback : callback.substring(0, at + PATH.length());
  }

  static String redacted(String callback) {
    String base = base(callback);
    return base.equals(callback) ? callback : base + "/***";
  }
}
