package mdo.subscriber;

import io.etcd.jetcd.Client;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import mdo.command.DaemonThreads;
import mdo.config.SubscriberSettings.EventSource;
import mdo.leader.Term;
import mdo.marathon.MarathonClient;
import mdo.marathon.MarathonClusterView;
import mdo.marathon.events.Backoff;
import mdo.marathon.events.MarathonEventStream;
import mdo.marathon.events.MarathonEvents;
import mdo.registry.store.EtcdException;
import mdo.registry.writer.RegistryWriter;
import mdo.registry.writer.ResyncResult;
import mdo.subscriber.callbacks.CallbackService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the subscriber does only while it leads, for one term: the event source (Marathon's stream, or its HTTP
 * callback subscription), the per-app queue and its workers, the resync scheduler, and callback delivery. Built at
 * election and closed when the term ends, with threads of its own: a deposed leader's queued events and scheduled
 * resyncs end with them, and the next term starts afresh.
 *
 * <p>A term starts by reading the registry into the writer ({@link RegistryWriter#load}), so no event is applied
 * against what the previous leader left unseen (ordinals above all); then the event source opens, and its connect
 * runs the takeover's full resync. Where the framework writes the registry ({@link SubscriberConfig#readsOnly()}) a
 * term only delivers callbacks: no event source, queue or resync.
 */
final class LeaderDuties implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaderDuties.class);
  private static final Duration START_RESYNC_GRACE = Duration.ofSeconds(2);

  private final SubscriberConfig config;
  private final Term term;
  private final RegistryWriter writer;
  private final MarathonClient marathon;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService workers;
  private final AppQueue queue;
  private final ResyncScheduler resyncs;
  private final EventIntake intake;
  private final PrometheusMeterRegistry callbackMeters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final CallbackService callbacks;
  private final CallbackSubscription subscription;
  private volatile MarathonEventStream stream;

  /**
   * @param onResync told of every resync's result, on the resync thread
   * @param callbackUrl where Marathon POSTs events in callback mode
   */
  LeaderDuties(SubscriberConfig config, Term term, RegistryWriter writer, MarathonClient marathon,
      MarathonClusterView view, KnownApps known, Client etcd, SubscriberMetrics metrics,
      Consumer<ResyncResult> onResync, Supplier<String> callbackUrl) {
    this.config = config;
    this.term = term;
    this.writer = writer;
    this.marathon = marathon;
    String name = "mdo-term" + term.revision();
    this.callbacks = new CallbackService(etcd, config.environment(), Subscriber.callbackSettings(config.subscriber()),
        callbackMeters);
    if (config.readsOnly()) {
      this.scheduler = null;
      this.workers = null;
      this.resyncs = null;
      this.queue = null;
      this.intake = null;
      this.subscription = null;
      return;
    }
    this.scheduler = Executors.newScheduledThreadPool(2, DaemonThreads.factory(name + "-scheduler"));
    this.workers = Executors.newFixedThreadPool(config.tuning().workers(), DaemonThreads.factory(name + "-writer"));
    this.resyncs = new ResyncScheduler(writer, metrics, config.subscriber().resyncInterval(),
        new Backoff(config.tuning().resyncRetryBase(), config.tuning().resyncRetryMax()), onResync);
    this.queue = new AppQueue(writer, view, workers, scheduler, config.tuning().refreshDelay(),
        config.tuning().queueCapacity(), () -> resyncs.request("queue overflow", false), metrics);
    this.intake = new EventIntake(writer, queue, metrics, resyncs, known);
    this.subscription = config.subscriber().events() == EventSource.CALLBACK
        ? new CallbackSubscription(marathon, callbackUrl, resyncs) : null;
  }

  /** Loads the registry, then opens the event source (whose connect resyncs); returns at once. */
  LeaderDuties start() {
    callbacks.start();
    if (resyncs == null) return this; // the framework writes the registry: callbacks are all this term does
    resyncs.start();
    scheduler.execute(() -> {
      try {
        writer.load();
      } catch (EtcdException e) {
        log.warn("failed: loading the registry for {}: {}; the first resync loads it", term, e.getMessage());
      }
      if (subscription == null) {
        MarathonEventStream s = new MarathonEventStream(marathon, config.subscriber().streamIdleTimeout(),
            MarathonEvents.USED_TYPES, intake, scheduler,
            new Backoff(config.tuning().reconnectBase(), config.tuning().reconnectMax()));
        stream = s;
        s.start(); // subscribe first: its onConnected runs the first resync
      } else {
        subscription.ensure(); // register first, then resync
        resyncs.request("elected", false);
      }
    });
    // ...unless the stream cannot connect for a while: then the registry must not wait for it
    scheduler.schedule(() -> {
      if (intake.connects() == 0) resyncs.request("elected, stream not connected yet", false);
    }, START_RESYNC_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  Term term() {
    return term;
  }

  /** Null where the framework writes the registry. */
  ResyncScheduler resyncs() {
    return resyncs;
  }

  /** Null where the framework writes the registry. */
  EventIntake intake() {
    return intake;
  }

  CallbackService callbacks() {
    return callbacks;
  }

  int queueDepth() {
    return queue == null ? 0 : queue.depth();
  }

  /** Apps with a slot in the event queue now. */
  int queuedApps() {
    return queue == null ? 0 : queue.slots();
  }

  boolean streamConnected() {
    MarathonEventStream s = stream;
    return s != null && s.connected();
  }

  /** Re-registers the Marathon callback if Marathon forgot it (callback mode); run after probes Marathon answered. */
  void keepSubscribed() {
    if (subscription != null) subscription.ensure();
  }

  /** This term's callback metrics, in Prometheus text. */
  String scrapeCallbacks() {
    return callbackMeters.scrape();
  }

  /**
   * Ends the term's work. {@code drain}: on shutdown, events already queued are written first (for up to 5 s);
   * deposed, they are dropped, as they are no longer this process's to write.
   */
  void close(boolean drain) {
    if (resyncs == null) {
      callbacks.close();
      callbackMeters.close();
      return;
    }
    if (stream != null) stream.close();
    if (subscription != null) {
      if (drain) subscription.close();
      else DaemonThreads.create("mdo-unsubscribe", subscription::close).start(); // Marathon may be slow to answer
    }
    scheduler.shutdownNow();
    resyncs.close();
    if (drain) {
      workers.shutdown();
      try {
        workers.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    workers.shutdownNow();
    callbacks.close();
    callbackMeters.close();
  }

  @Override
  public void close() {
    close(true);
  }
}
