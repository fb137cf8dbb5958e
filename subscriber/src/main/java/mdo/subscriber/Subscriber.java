package mdo.subscriber;

import io.etcd.jetcd.Client;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import mdo.command.DaemonThreads;
import mdo.config.SubscriberSettings;
import mdo.config.SubscriberSettings.EventSource;
import mdo.marathon.MarathonClient;
import mdo.marathon.MarathonClusterView;
import mdo.marathon.events.Backoff;
import mdo.marathon.events.MarathonEventStream;
import mdo.marathon.events.MarathonEvents;
import mdo.registry.Etcd;
import mdo.registry.store.EtcdRegistryStore;
import mdo.registry.writer.RegistryWriter;
import mdo.registry.writer.ResyncResult;
import mdo.subscriber.callbacks.CallbackService;
import mdo.subscriber.access.Callers;
import mdo.subscriber.callbacks.CallbackSettings;
import mdo.subscriber.callbacks.Networks;
import mdo.subscriber.callbacks.Secrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriber: Marathon events → per-app coalescing queue → registry writer → etcd, with resyncs at start, after
 * every stream (re)connect, every {@code resyncInterval}, on {@code POST /v1/resync}, on SIGHUP, when the queue
 * overflows, and when etcd or Marathon come back. The stream is opened before the first resync, so nothing that happens
 * during the resync is missed. This class only builds and wires the parts and runs their lifecycle: {@link EventIntake},
 * {@link ResyncScheduler}, {@link HealthProbe}, {@link CallbackSubscription}, {@link HealthReporter} and the HTTP app.
 * Construction does no I/O; {@link #start()} does.
 */
public final class Subscriber implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Subscriber.class);
  private static final Duration START_RESYNC_GRACE = Duration.ofSeconds(2);

  private final SubscriberConfig config;
  private final List<Consumer<JavalinConfig>> routeContributors;
  private final Client etcd;
  private final MarathonClient marathon;
  final SubscriberMetrics metrics = new SubscriberMetrics();
  private final RegistryWriter writer;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService workers;
  private final AppQueue queue;
  private final ResyncScheduler resyncs;
  private final EventIntake intake;
  private final CallbackSubscription callbackSubscription;
  private final HealthProbe probe;
  private final HealthReporter health;
  private final CallbackService callbacks;
  private final LaunchQueue launchQueue;
  private final Callers callers;
  /** The last segment of the callback URL registered at Marathon (callback mode): only Marathon learns it. */
  private final String callbackSecret = Secrets.random(24);
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile MarathonEventStream stream;
  private volatile Javalin app;

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
    this.callers = new Callers(config.subscriber().token(), config.subscriber().registrationSecret(),
        config.environment());
    this.marathon = new MarathonClient(config.marathon());
    MarathonClusterView view = new MarathonClusterView(marathon, config.environment());
    KnownApps known = new KnownApps(view);
    this.writer = new RegistryWriter(config.environment(), new EtcdRegistryStore(etcd.getKVClient(),
        config.tuning().etcdTimeout()), known, config.subscriber().maxDeleteFraction(), config.tuning().etcdTimeout(),
        metrics);
    this.scheduler = Executors.newScheduledThreadPool(2, DaemonThreads.factory("mdo-scheduler"));
    this.workers = Executors.newFixedThreadPool(config.tuning().workers(), DaemonThreads.factory("mdo-writer"));
    Reachability reachability = new Reachability();
    this.resyncs = new ResyncScheduler(writer, scheduler, metrics, config.subscriber().resyncInterval(),
        reachability::resynced);
    this.queue = new AppQueue(writer, view, workers, scheduler, config.tuning().refreshDelay(),
        config.tuning().queueCapacity(), () -> resyncs.request("queue overflow", false), metrics);
    this.intake = new EventIntake(writer, queue, metrics, resyncs, known);
    boolean callbackMode = config.subscriber().events() == EventSource.CALLBACK;
    this.callbackSubscription = callbackMode ? new CallbackSubscription(marathon, this::callbackUrl, resyncs) : null;
    this.probe = new HealthProbe(writer, marathon, resyncs, callbackMode ? callbackSubscription::ensure : () -> {},
        config.etcd().endpoints().toString(), reachability);
    this.health = new HealthReporter(config, this::streamConnected, intake, reachability, resyncs, writer,
        queue::depth);
    this.launchQueue = new LaunchQueue(view::waiting, reachability::marathon);
    metrics.gauges(() -> streamConnected() ? 1 : 0, queue::depth, writer::recordCount);
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
  public MeterRegistry meters() {
    return metrics.registry;
  }

  /**
   * Callback registrations take the admin token and the service tokens derived from the registration secret. Loopback
   * receivers are refused unless the allowlist names a loopback network or host, which single-machine setups (the dev
   * cluster, the demo) do explicitly.
   */
  static CallbackSettings callbackSettings(SubscriberSettings settings) {
    boolean loopback = settings.callbackAllow().stream().anyMatch(entry -> entry.startsWith("127.")
        || entry.equals("::1") || entry.equals("::1/128") || entry.equalsIgnoreCase("localhost"));
    return CallbackSettings.defaults()
        .withToken(settings.token())
        .withRegistrationSecret(settings.registrationSecret())
        .withAllowlist(settings.callbackAllow())
        .withAllowLoopback(loopback);
  }

  public synchronized Subscriber start() {
    callbacks.start();
    SubscriberApp.CallbackIntake callbackIntake = callbackSubscription == null ? null
        : new SubscriberApp.CallbackIntake(callbackSecret, new Networks(config.subscriber().callbackSources()),
            intake::acceptCallback);
    app = SubscriberApp.create(new SubscriberApp.Parts(config.environment(), writer::records, health, resyncs, callers,
        List.of(config.subscriber().host(), config.subscriber().url().getHost()), callbackIntake, intake::malformed,
        metrics::refused, metrics::scrape, routeContributors, launchQueue::status));
    app.start(config.subscriber().host(), config.subscriber().port());
    log.info("started: subscriber for environment '{}' on port {} ({} events from {})", config.environment(),
        app.port(), config.subscriber().events(), config.marathon().urls());
    if (config.etcd().passwordInClear()) {
      log.warn("insecure: the etcd password goes over plain http to {}; use https endpoints or client certificates",
          config.etcd().endpointList());
    }
    if (!callers.adminTokenConfigured()) {
      log.warn("insecure: no subscriber token (MDO_SUBSCRIBER_TOKEN) is set, so every caller on this host is trusted"
          + " as admin; set one outside single-machine setups");
    }
    if (callbackSubscription == null) {
      stream = new MarathonEventStream(marathon, config.subscriber().streamIdleTimeout(), MarathonEvents.USED_TYPES,
          intake, scheduler, new Backoff(config.tuning().reconnectBase(), config.tuning().reconnectMax()));
      stream.start(); // subscribe first: its onConnected runs the first resync
      // ...unless the stream cannot connect for a while: then the registry must not wait for it
      scheduler.schedule(() -> {
        if (intake.connects() == 0) resyncs.request("start, stream not connected yet", false);
      }, START_RESYNC_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } else {
      scheduler.execute(() -> {
        callbackSubscription.ensure(); // register first, then resync
        resyncs.request("start", false);
      });
    }
    resyncs.start();
    probe.start(scheduler, config.tuning().healthInterval().toMillis());
    Signals.onHangup(() -> resyncs.request("SIGHUP", false));
    return this;
  }

  public int port() {
    return app.port();
  }

  /** Apps with a slot in the event queue now. */
  int queuedApps() {
    return queue.slots();
  }

  /** Events received from the stream so far. */
  long received() {
    return intake.received();
  }

  private boolean streamConnected() {
    MarathonEventStream s = stream;
    return s != null && s.connected();
  }

  /** {@code <url>/callback/<secret>}: what Marathon is asked to POST its events to. */
  String callbackUrl() {
    String base = config.subscriber().port() == 0 && app != null // port 0 (tests): the port the server got
        ? config.subscriber().url().toString().replaceFirst(":0(/|$)", ":" + app.port() + "$1")
        : config.subscriber().url().toString();
    return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + CallbackSubscription.PATH + "/"
        + callbackSecret;
  }

  ResyncResult lastResync() {
    return resyncs.last();
  }

  Health health() {
    return health.health(true);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    if (stream != null) stream.close();
    if (callbackSubscription != null) callbackSubscription.close();
    scheduler.shutdownNow();
    resyncs.close();
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
}
