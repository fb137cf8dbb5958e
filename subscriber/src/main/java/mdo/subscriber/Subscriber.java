package mdo.subscriber;

import io.etcd.jetcd.Client;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import mdo.config.SubscriberSettings;
import mdo.config.SubscriberSettings.EventSource;
import mdo.marathon.MarathonClient;
import mdo.marathon.MarathonException;
import mdo.marathon.MarathonUnavailableException;
import mdo.marathon.events.Backoff;
import mdo.marathon.events.MarathonEvent;
import mdo.marathon.events.MarathonEventStream;
import mdo.marathon.events.MarathonEvents;
import mdo.registry.Etcd;
import mdo.registry.InstanceRecord;
import mdo.registry.writer.RegistryWriter;
import mdo.registry.writer.RegistryWriter.Received;
import mdo.registry.writer.ResyncResult;
import mdo.subscriber.callbacks.CallbackService;
import mdo.subscriber.callbacks.CallbackSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriber: Marathon events → per-app coalescing queue → registry writer → etcd, with resyncs at start, after
 * every stream (re)connect, every {@code resyncInterval}, on {@code POST /v1/resync}, on SIGHUP, when the queue
 * overflows, and when etcd or Marathon come back. The stream is opened before the first resync, so nothing that happens
 * during the resync is missed. Construction does no I/O; {@link #start()} does.
 */
public final class Subscriber implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Subscriber.class);
  private static final Duration START_RESYNC_GRACE = Duration.ofSeconds(2);

  private final SubscriberConfig config;
  private final List<Consumer<JavalinConfig>> routeContributors;
  private final Client etcd;
  private final MarathonClient marathon;
  final SubscriberMetrics metrics = new SubscriberMetrics();
  final RegistryWriter writer;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService workers;
  private final ExecutorService resyncs = Executors.newSingleThreadExecutor(daemon("mdo-resync"));
  private final AppQueue queue;
  private final AtomicBoolean resyncPending = new AtomicBoolean();
  private final AtomicBoolean forcePending = new AtomicBoolean();
  private final AtomicReference<ResyncResult> lastResync = new AtomicReference<>();
  private final AtomicReference<Instant> lastGoodResync = new AtomicReference<>();
  private final AtomicLong lastEventNanos = new AtomicLong();
  private final AtomicLong connects = new AtomicLong();
  final AtomicLong received = new AtomicLong();
  private final Backoff resyncBackoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
  private volatile boolean etcdReachable = true;
  private volatile boolean marathonReachable = true;
  private volatile MarathonEventStream stream;
  private volatile Javalin app;
  /** Start, the probe and close all (un)register the callback; one at a time, or each registers its own. */
  private final Object callbackLock = new Object();
  private boolean subscribedCallback;
  private final CallbackService callbacks;
  private final AtomicBoolean closed = new AtomicBoolean();

  public Subscriber(SubscriberConfig config) {
    this(config, List.of());
  }

  /**
   * @param routeContributors extra route declarations for the Javalin app (e.g. callback registrations), each called
   *     inside {@code Javalin.create(cfg -> ...)}
   */
  public Subscriber(SubscriberConfig config, List<Consumer<JavalinConfig>> routeContributors) {
    this.config = config;
    this.etcd = Etcd.client(config.etcd());
    this.callbacks = new CallbackService(etcd, config.environment(), callbackSettings(config.subscriber()),
        metrics.registry);
    List<Consumer<JavalinConfig>> routes = new ArrayList<>(routeContributors);
    routes.add(callbacks::routes);
    this.routeContributors = List.copyOf(routes);
    this.marathon = new MarathonClient(config.marathon());
    this.writer = new RegistryWriter(config.environment(), etcd, marathon, config.subscriber().maxDeleteFraction(),
        config.tuning().etcdTimeout(), metrics);
    this.scheduler = Executors.newScheduledThreadPool(2, daemon("mdo-scheduler"));
    this.workers = Executors.newFixedThreadPool(config.tuning().workers(), daemon("mdo-writer"));
    this.queue = new AppQueue(writer, workers, scheduler, config.tuning().refreshDelay(),
        config.tuning().queueCapacity(), () -> requestResync("queue overflow", false), metrics);
    metrics.gauges(() -> stream != null && stream.connected() ? 1 : 0, queue::depth, writer::recordCount);
  }

  public SubscriberConfig config() {
    return config;
  }

  public MarathonClient marathon() {
    return marathon;
  }

  /** The etcd client, shared with route contributors (e.g. callback registrations). */
  public Client etcd() {
    return etcd;
  }

  /** The registry /metrics serves; contributors may add their meters to it. */
  public io.micrometer.core.instrument.MeterRegistry meters() {
    return metrics.registry;
  }

  /**
   * Callback registrations take the subscriber's token. Loopback receivers are refused unless the allowlist names a
   * loopback network or host, which single-machine setups (the dev cluster, the demo) do explicitly.
   */
  static CallbackSettings callbackSettings(SubscriberSettings settings) {
    boolean loopback = settings.callbackAllow().stream().anyMatch(entry -> entry.startsWith("127.")
        || entry.equals("::1") || entry.equals("::1/128") || entry.equalsIgnoreCase("localhost"));
    return CallbackSettings.defaults()
        .withToken(settings.token())
        .withAllowlist(settings.callbackAllow())
        .withAllowLoopback(loopback);
  }

  public synchronized Subscriber start() {
    callbacks.start();
    app = SubscriberApp.create(this, routeContributors);
    app.start(config.subscriber().host(), config.subscriber().port());
    log.info("started: subscriber for environment '{}' on port {} ({} events from {})", config.environment(),
        app.port(), config.subscriber().events(), config.marathon().urls());
    if (config.subscriber().events() == EventSource.SSE) {
      stream = new MarathonEventStream(marathon, config.subscriber().streamIdleTimeout(), MarathonEvents.USED_TYPES,
          new StreamListener(), scheduler, new Backoff(config.tuning().reconnectBase(), config.tuning().reconnectMax()));
      stream.start(); // subscribe first: its onConnected runs the first resync
      // ...unless the stream cannot connect for a while: then the registry must not wait for it
      scheduler.schedule(() -> {
        if (connects.get() == 0) requestResync("start, stream not connected yet", false);
      }, START_RESYNC_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } else {
      scheduler.execute(() -> {
        ensureCallback(); // register first, then resync
        requestResync("start", false);
      });
    }
    long interval = config.subscriber().resyncInterval().toMillis();
    scheduler.scheduleWithFixedDelay(() -> requestResync("periodic", false), interval, interval, TimeUnit.MILLISECONDS);
    long probe = config.tuning().healthInterval().toMillis();
    scheduler.scheduleWithFixedDelay(this::probe, 0, probe, TimeUnit.MILLISECONDS);
    Signals.onHangup(() -> requestResync("SIGHUP", false));
    return this;
  }

  public int port() {
    return app.port();
  }

  /** Queues a resync; requests while one is queued are absorbed, one arriving during a resync runs right after it. */
  public void requestResync(String reason, boolean force) {
    if (closed.get()) return;
    if (force) forcePending.set(true);
    if (!resyncPending.compareAndSet(false, true)) return;
    try {
      resyncs.execute(() -> runResync(reason));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      resyncPending.set(false);
    }
  }

  private void runResync(String reason) {
    resyncPending.set(false);
    boolean force = forcePending.getAndSet(false);
    ResyncResult result = writer.resync(force);
    lastResync.set(result);
    metrics.resynced(result);
    if (result.error() != null) {
      Duration retry = resyncBackoff.next();
      log.warn("failed: resync ({}): {}; retrying in {} ms", reason, result.error(), retry.toMillis());
      if (result.error().startsWith("etcd")) etcdReachable = false;
      if (result.error().startsWith("Marathon")) marathonReachable = false;
      if (!closed.get()) scheduler.schedule(() -> requestResync("retry", false), retry.toMillis(), TimeUnit.MILLISECONDS);
      return;
    }
    resyncBackoff.reset();
    lastGoodResync.set(result.at());
    etcdReachable = true;
    marathonReachable = true;
    if (result.writes() > 0 || result.refusedDeletes() > 0 || result.conflicts() > 0) {
      log.info("resynced ({}): {}", reason, result.summary());
    } else {
      log.debug("resynced ({}): no changes, {} records", reason, result.records());
    }
  }

  /** Checks etcd and Marathon; when either comes back, resyncs (writes may have been lost while it was away). */
  private void probe() {
    boolean etcdNow = writer.etcdReachable();
    boolean marathonNow;
    try {
      marathon.leader();
      marathonNow = true;
    } catch (MarathonUnavailableException e) {
      marathonNow = false;
    } catch (MarathonException e) {
      marathonNow = true; // it answered
    }
    boolean etcdBack = etcdNow && !etcdReachable;
    boolean marathonBack = marathonNow && !marathonReachable;
    if (etcdNow != etcdReachable) log.warn("{}: etcd {}", etcdNow ? "recovered" : "lost", config.etcd().endpoints());
    if (marathonNow != marathonReachable) log.warn("{}: Marathon", marathonNow ? "recovered" : "lost");
    etcdReachable = etcdNow;
    marathonReachable = marathonNow;
    if (marathonNow && config.subscriber().events() == EventSource.CALLBACK) ensureCallback();
    if (etcdBack || marathonBack || (etcdNow && writer.needsResync() && !resyncPending.get())) {
      requestResync(etcdBack ? "etcd back" : marathonBack ? "Marathon back" : "after etcd write failures", false);
    }
  }

  // ---- intake, used by the stream and by POST /callback

  void accept(MarathonEvent event, long receivedNanos) {
    lastEventNanos.set(System.nanoTime());
    received.incrementAndGet();
    writer.observed(event);
    if (event.appIds().isEmpty()) {
      metrics.event(event.type(), "ignored");
      return;
    }
    queue.offer(new Received(event, receivedNanos));
  }

  /** Callback events are not authenticated, so they only ever trigger a refetch of the apps they name. */
  void acceptCallback(MarathonEvent event) {
    lastEventNanos.set(System.nanoTime());
    metrics.event(event.type(), event.appIds().isEmpty() ? "ignored" : "refresh");
    for (String appId : event.appIds()) queue.refresh(appId);
  }

  void malformed(String type, String reason) {
    metrics.event(type, "malformed");
    log.warn("skipped: malformed {} event: {}", type == null ? "unknown" : type, reason);
  }

  private final class StreamListener implements MarathonEventStream.Listener {
    @Override
    public void onConnected(URI url) {
      if (connects.incrementAndGet() > 1) metrics.reconnected();
      requestResync("stream connected", false);
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

  /**
   * Registers the callback URL unless Marathon already lists it. Run at start and on every probe, because Marathon
   * forgets subscribers (marathon-lb #230) and skips failing ones.
   */
  private void ensureCallback() {
    String url = callbackUrl();
    synchronized (callbackLock) {
      if (closed.get()) return;
      try {
        if (subscribedCallback && marathon.eventSubscriptions().contains(url)) return;
        marathon.subscribe(url);
        if (subscribedCallback) {
          log.warn("resubscribed: Marathon had dropped callback {}", url);
          requestResync("callback resubscribed", false);
        } else {
          log.info("subscribed: Marathon HTTP callbacks to {}", url);
        }
        subscribedCallback = true;
      } catch (MarathonException | MarathonUnavailableException e) {
        log.warn("failed: subscribing callback {}: {}", url, e.getMessage());
      }
    }
  }

  String callbackUrl() {
    String base = config.subscriber().port() == 0 && app != null // port 0 (tests): the port the server got
        ? config.subscriber().url().toString().replaceFirst(":0(/|$)", ":" + app.port() + "$1")
        : config.subscriber().url().toString();
    return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/callback";
  }

  // ---- what /health and /info read

  List<InstanceRecord> records() {
    return writer.records();
  }

  ResyncResult lastResync() {
    return lastResync.get();
  }

  Health health() {
    List<String> problems = new ArrayList<>();
    boolean sse = config.subscriber().events() == EventSource.SSE;
    boolean connected = stream != null && stream.connected();
    if (sse && !connected) problems.add("event stream disconnected");
    if (!etcdReachable) problems.add("etcd unreachable");
    if (!marathonReachable) problems.add("Marathon unreachable");
    ResyncResult r = lastResync.get();
    if (r == null) problems.add("no resync completed yet");
    else if (r.error() != null) problems.add("last resync failed: " + r.error());
    else if (r.refusedDeletes() > 0) problems.add("last resync refused to delete " + r.refusedDeletes()
        + " records (more than " + config.subscriber().maxDeleteFraction() + " of them); POST /v1/resync?force=true");
    if (writer.needsResync()) problems.add("etcd writes failed since the last resync");
    long last = lastEventNanos.get();
    Map<String, Object> streamInfo = new LinkedHashMap<>();
    streamInfo.put("mode", config.subscriber().events().name());
    streamInfo.put("connected", sse ? connected : null);
    streamInfo.put("connects", connects.get());
    streamInfo.put("lastEventAgeSeconds", last == 0 ? null : (System.nanoTime() - last) / 1_000_000_000.0);
    Map<String, Object> resync = new LinkedHashMap<>();
    resync.put("lastAt", r == null ? null : r.at().toString());
    resync.put("result", r == null ? null : r.summary());
    resync.put("ok", r != null && r.ok());
    resync.put("lastSuccessAt", lastGoodResync.get() == null ? null : lastGoodResync.get().toString());
    resync.put("intervalSeconds", config.subscriber().resyncInterval().toSeconds());
    return new Health(problems.isEmpty(), problems, streamInfo, resync,
        Map.of("reachable", etcdReachable, "endpoints", config.etcd().endpointList()),
        Map.of("reachable", marathonReachable, "urls", config.marathon().urls().toString()),
        writer.recordCount(), queue.depth());
  }

  boolean authorized(String authorizationHeader, String remoteAddress) {
    return Tokens.authorized(config.subscriber().token(), authorizationHeader, remoteAddress);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    if (stream != null) stream.close();
    synchronized (callbackLock) { // after closed is set, so no probe registers it again
      if (subscribedCallback) {
        try {
          marathon.unsubscribe(callbackUrl());
          log.info("unsubscribed: Marathon HTTP callbacks {}", callbackUrl());
        } catch (RuntimeException e) {
          log.warn("failed: unsubscribing callback: {}", e.getMessage());
        }
      }
    }
    scheduler.shutdownNow();
    resyncs.shutdownNow();
    workers.shutdown();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    workers.shutdownNow();
    if (app != null) app.stop();
    callbacks.close();
    writer.close();
    etcd.close();
    marathon.http().dispatcher().executorService().shutdown();
    marathon.http().connectionPool().evictAll();
    log.info("stopped: subscriber for environment '{}'", config.environment());
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicLong n = new AtomicLong();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
