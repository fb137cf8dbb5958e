package mdo.subscriber;

import io.etcd.jetcd.Client;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import mdo.command.DaemonThreads;
import mdo.config.SubscriberSettings;
import mdo.config.SubscriberSettings.EventSource;
import mdo.framework.desired.DesiredStateStore;
import mdo.leader.ElectionTiming;
import mdo.marathon.MarathonClient;
import mdo.marathon.MarathonClusterView;
import mdo.registry.Etcd;
import mdo.registry.InstanceRecord;
import mdo.registry.store.EtcdRegistryStore;
import mdo.registry.writer.RegistryWriter;
import mdo.registry.writer.ResyncResult;
import mdo.subscriber.access.Callers;
import mdo.subscriber.callbacks.CallbackSettings;
import mdo.subscriber.callbacks.Networks;
import mdo.subscriber.callbacks.Secrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriber: Marathon events → per-app coalescing queue → registry writer → etcd, with resyncs at start, after
 * every stream (re)connect, every {@code resyncInterval}, on {@code POST /v1/resync}, on SIGHUP, when the queue
 * overflows, and when etcd or Marathon come back. Any number run per environment; one leads ({@link Leadership}) and
 * only the leader reads events, resyncs, writes the registry and delivers callbacks ({@link LeaderDuties}, one per
 * term); standbys serve {@code /info}, {@code /v1/services} and {@code /health} from the registry and forward the rest
 * to the leader ({@link LeaderProxy}). With {@code backend: mesos} ({@link SubscriberConfig#readsOnly()}) the native
 * framework writes the registry: every subscriber then follows it for {@code /info} and {@code /v1/services}, shows the
 * framework's reasons for tasks that wait, and the leader delivers callbacks; none reads Marathon or writes a record.
 * This class only builds and wires the parts and runs their lifecycle:
 * {@link Leadership}, {@link HealthProbe}, {@link HealthReporter} and the HTTP app. Construction does no I/O;
 * {@link #start()} does.
 */
public final class Subscriber implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Subscriber.class);

  private final SubscriberConfig config;
  private final List<Consumer<JavalinConfig>> routeContributors;
  private final Client etcd;
  private final MarathonClient marathon;
  final SubscriberMetrics metrics = new SubscriberMetrics();
  private final RegistryWriter writer;
  private final MarathonClusterView view;
  private final Reachability reachability;
  private final ScheduledExecutorService scheduler;
  private final Leadership leadership;
  private final LeaderProxy proxy;
  private final HealthProbe probe;
  private final HealthReporter health;
  private final LaunchQueue launchQueue;
  private final Callers callers;
  private final KnownApps known;
  /** The last segment of the callback URL registered at Marathon (callback mode): only Marathon learns it. */
  private final String callbackSecret = Secrets.random(24);
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Javalin app;

  public Subscriber(SubscriberConfig config) {
    this(config, List.of());
  }

  /**
   * @param routeContributors extra route declarations for the Javalin app, each called inside
   *     {@code Javalin.create(cfg -> ...)}
   */
  public Subscriber(SubscriberConfig config, List<Consumer<JavalinConfig>> routeContributors) {
    this.config = config;
    this.etcd = Etcd.client(config.etcd());
    this.routeContributors = List.copyOf(routeContributors);
    this.callers = new Callers(config.subscriber().token(), config.subscriber().registrationSecret(),
        config.environment());
    this.marathon = new MarathonClient(config.marathon());
    this.view = new MarathonClusterView(marathon, config.environment());
    this.known = new KnownApps(view);
    this.reachability = new Reachability(config.etcd().endpointList());
    this.leadership = new Leadership(etcd, config.environment(), metrics, ElectionTiming.defaults());
    this.writer = new RegistryWriter(config.environment(), new EtcdRegistryStore(etcd.getKVClient(),
        config.tuning().etcdTimeout(), leadership), known, config.tuning().etcdTimeout(), metrics);
    this.proxy = new LeaderProxy(leadership::leader, leadership::id);
    this.scheduler = Executors.newScheduledThreadPool(1, DaemonThreads.factory("mdo-probe"));
    this.probe = new HealthProbe(writer, config.readsOnly() ? null : marathon, leadership, leadership::keepSubscribed,
        reachability, metrics);
    this.health = new HealthReporter(config, reachability, writer, leadership, this::recordCount);
    metrics.gauges(() -> streamConnected() ? 1 : 0, this::queueDepth, this::recordCount);
    if (config.readsOnly()) {
      DesiredStateStore progress = new DesiredStateStore(etcd.getKVClient(), config.environment(),
          config.tuning().etcdTimeout());
      this.launchQueue = new LaunchQueue("bin/framework", () -> frameworkWaiting(progress), () -> true);
    } else {
      this.launchQueue = new LaunchQueue("Marathon's launch queue", this::marathonWaiting, reachability::marathon);
    }
  }

  public SubscriberConfig config() {
    return config;
  }

  public MarathonClient marathon() {
    return marathon;
  }

  /** The etcd client, shared with route contributors. */
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

  /** Serves HTTP, then campaigns: this subscriber leads at once if nobody does, else stands by. */
  public synchronized Subscriber start() {
    SubscriberApp.CallbackIntake callbackIntake = config.subscriber().events() != EventSource.CALLBACK ? null
        : new SubscriberApp.CallbackIntake(callbackSecret, new Networks(config.subscriber().callbackSources()),
            leadership::acceptCallback);
    app = SubscriberApp.create(new SubscriberApp.Parts(config.environment(), this::records, health,
        leadership, callers,
        List.of(config.subscriber().host(), config.subscriber().url().getHost()), callbackIntake, leadership::malformed,
        metrics::refused, () -> metrics.scrape() + callbackMetrics(), leadership::leading, proxy::forward,
        leadership::callbacks, routeContributors, launchQueue::status));
    app.start(config.subscriber().host(), config.subscriber().port());
    if (config.readsOnly()) {
      log.info("started: subscriber for environment '{}' on port {} (the registry is bin/framework's: backend: mesos)",
          config.environment(), app.port());
      leadership.followAlways();
    } else {
      log.info("started: subscriber for environment '{}' on port {} ({} events from {})", config.environment(),
          app.port(), config.subscriber().events(), config.marathon().urls());
    }
    if (config.etcd().passwordInClear()) {
      log.warn("insecure: the etcd password goes over plain http to {}; use https endpoints or client certificates",
          config.etcd().endpointList());
    }
    if (!callers.adminTokenConfigured()) {
      log.warn("insecure: no subscriber token (MDO_SUBSCRIBER_TOKEN) is set, so every caller on this host is trusted"
          + " as admin; set one outside single-machine setups");
    }
    leadership.start(baseUrl(), term -> new LeaderDuties(config, term, writer, marathon, view, known, etcd, metrics,
        result -> {
          reachability.resynced(result);
          leadership.resynced(result);
        }, this::callbackUrl));
    probe.start(scheduler, config.tuning().healthInterval().toMillis());
    Signals.onHangup(() -> leadership.request("SIGHUP", false));
    return this;
  }

  public int port() {
    return app.port();
  }

  /** Apps with a slot in the current term's event queue. */
  int queuedApps() {
    LeaderDuties d = leadership.duties();
    return d == null ? 0 : d.queuedApps();
  }

  /** Events received from the stream in the current term. */
  long received() {
    LeaderDuties d = leadership.duties();
    return d == null || d.intake() == null ? 0 : d.intake().received();
  }

  /** Whether this subscriber leads its environment now. */
  boolean leading() {
    return leadership.leading();
  }

  /** The registry: as a standby follows it, or as this leader wrote it. */
  private List<InstanceRecord> records() {
    return leadership.followed().orElseGet(writer::records);
  }

  private Map<String, LaunchQueue.Queued> marathonWaiting() {
    Map<String, LaunchQueue.Queued> out = new TreeMap<>();
    view.waiting().forEach((service, w) -> {
      Map<String, Object> details = new LinkedHashMap<>();
      if (w.since() != null) details.put("since", w.since());
      details.put("delaySeconds", w.delaySeconds());
      details.put("declined", w.declined());
      out.put(service, new LaunchQueue.Queued(w.count(), w.summary(), details));
    });
    return out;
  }

  /** Where the framework writes the registry: its services' tasks that wait to launch, and why. */
  private static Map<String, LaunchQueue.Queued> frameworkWaiting(DesiredStateStore progress) {
    Map<String, LaunchQueue.Queued> out = new TreeMap<>();
    progress.progressAll().forEach((service, p) -> {
      if (p.pending() > 0 && p.pendingReason() != null) {
        out.put(service, LaunchQueue.Queued.because(p.pending(), p.pendingReason()));
      }
    });
    return out;
  }

  private int recordCount() {
    return leadership.followed().map(List::size).orElseGet(writer::recordCount);
  }

  private boolean streamConnected() {
    LeaderDuties d = leadership.duties();
    return d != null && d.streamConnected();
  }

  private int queueDepth() {
    LeaderDuties d = leadership.duties();
    return d == null ? 0 : d.queueDepth();
  }

  private String callbackMetrics() {
    LeaderDuties d = leadership.duties();
    return d == null ? "" : d.scrapeCallbacks();
  }

  /** Where this subscriber serves: {@code subscriber.url}, with the port the server got if configured as 0 (tests). */
  String baseUrl() {
    String base = config.subscriber().port() == 0 && app != null
        ? config.subscriber().url().toString().replaceFirst(":0(/|$)", ":" + app.port() + "$1")
        : config.subscriber().url().toString();
    return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  /** {@code <url>/callback/<secret>}: what Marathon is asked to POST its events to. */
  String callbackUrl() {
    return baseUrl() + CallbackSubscription.PATH + "/" + callbackSecret;
  }

  /** The current term's last resync; null on a standby and before a leader's first. */
  ResyncResult lastResync() {
    LeaderDuties d = leadership.duties();
    return d == null || d.resyncs() == null ? null : d.resyncs().last();
  }

  Health health() {
    return health.health(true);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    scheduler.shutdownNow();
    leadership.close(); // drains the term's queue, then resigns: a standby takes over at once
    if (app != null) app.stop();
    proxy.close();
    writer.close();
    etcd.close();
    marathon.http().dispatcher().executorService().shutdown();
    marathon.http().connectionPool().evictAll();
    log.info("stopped: subscriber for environment '{}'", config.environment());
  }
}
