package mdo.subscriber.callbacks;

import io.etcd.jetcd.Client;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.net.Proxy;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import mdo.command.DaemonThreads;
import mdo.command.UntrustedText;
import mdo.guestutils.NodeQuery;
import mdo.guestutils.RegistryUnavailableException;
import mdo.guestutils.RegistryWatch;
import mdo.guestutils.ServiceSnapshot;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryKeys;
import mdo.registry.store.EtcdException;
import mdo.subscriber.access.Caller;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Callback registrations and their delivery, self-contained so the subscriber wires it in with a few lines:
 *
 * <pre>{@code
 * CallbackService callbacks = new CallbackService(etcdClient, environment, settings, meterRegistry);
 * Javalin app = Javalin.create(cfg -> { callbacks.routes(cfg); ... });
 * callbacks.start();   // ... callbacks.close() on shutdown
 * }</pre>
 *
 * It watches the registry prefix in etcd itself (independent of how the registry is written), coalesces changes per
 * service, and POSTs {service, members, added, removed, revision} to every registration of a changed service.
 * Registrations live in etcd and are removed when the instance that registered disappears from the registry.
 * The watch runs only while there are registrations: it makes etcd send, and this process read, every registry write,
 * which at thousands of writes a second is a large share of both their CPU.
 */
public final class CallbackService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CallbackService.class);

  private final Client client;
  private final String environment;
  private final CallbackSettings settings;
  private final CallbackStore store;
  private final CallbackUrlValidator validator;
  private final CallbackMetrics metrics;
  private final ScheduledExecutorService scheduler;
  private final OkHttpClient http;
  private final Map<String, Receiver> receivers = new ConcurrentHashMap<>();
  private final Set<String> seenOwners = ConcurrentHashMap.newKeySet();
  /** When each tracked registration was first seen here: the grace period of one without a readable createdAt. */
  private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();
  private final Quotas quotas;
  private final CallbackApi api;
  private boolean closed;
  private volatile RegistryWatch watch;

  public CallbackService(Client client, String environment, CallbackSettings settings, MeterRegistry meters) {
    RegistryKeys.environment(environment);
    this.client = client;
    this.environment = environment;
    this.settings = settings;
    this.store = new CallbackStore(client, environment);
    this.validator = new CallbackUrlValidator(settings);
    this.quotas = new Quotas(settings);
    this.api = new CallbackApi(this, environment, settings, validator);
    this.metrics = new CallbackMetrics(meters, receivers::size);
    this.scheduler = Executors.newScheduledThreadPool(3, DaemonThreads.factory("mdo-callbacks"));
    Dispatcher dispatcher = new Dispatcher();
    // Each receiver has at most one request in flight; these limits only bound the total.
    dispatcher.setMaxRequests(4096);
    dispatcher.setMaxRequestsPerHost(4096);
    this.http = new OkHttpClient.Builder()
        .dispatcher(dispatcher)
        // Every name resolved and every address connected is checked, IP literals included; no proxy routes around it.
        .proxy(Proxy.NO_PROXY)
        .dns(validator.dns())
        .socketFactory(validator.socketFactory())
        .callTimeout(settings.requestTimeout())
        .connectTimeout(settings.requestTimeout())
        .readTimeout(settings.requestTimeout())
        .followRedirects(false)
        .followSslRedirects(false)
        .retryOnConnectionFailure(false)
        .build();
  }

  /**
   * Loads registrations now and every sweep interval (retrying in the background while etcd is down); the registry
   * watch starts with the first registration.
   */
  public CallbackService start() {
    scheduler.scheduleWithFixedDelay(this::sweep, 0, settings.sweepInterval().toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Whether the registry watch is running (it does while there are registrations). */
  boolean watching() {
    return watch != null;
  }

  /** Starts the registry watch unless it runs; once it has loaded, a first full pass offers members to everyone. */
  private synchronized void ensureWatch() {
    if (watch != null || closed || receivers.isEmpty()) return;
    RegistryWatch started = new RegistryWatch(client, environment, settings.coalesce());
    started.onServiceChange(this::serviceChanged);
    watch = started.start();
    log.info("watching: registry of '{}' for {} callback registrations", environment, receivers.size());
    scheduler.execute(() -> {
      try {
        if (started.awaitLoaded(Duration.ofSeconds(30)) && watch == started) {
          removeOrphans();
          for (Receiver receiver : receivers.values()) offerCurrent(receiver);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  /** Stops the registry watch when the last registration is gone. */
  private synchronized void stopWatchIfIdle() {
    if (watch == null || !receivers.isEmpty()) return;
    watch.close();
    watch = null;
    log.info("stopped: registry watch of '{}' (no callback registrations)", environment);
  }

  /** Registers {@code POST /v1/callbacks}, {@code GET /v1/callbacks} and {@code DELETE /v1/callbacks/{service}/{id}}. */
  public void routes(JavalinConfig cfg) {
    api.routes(cfg);
  }

  /** Active registrations (for /health). */
  public int registrations() {
    return receivers.size();
  }

  // ---- HTTP handlers (plain Javalin handlers; see CallbackApi)

  /** {@code POST /v1/callbacks} {service, url, taskId, owner}: 201 with {id, secret, ...}; 400, 401, 403, 409, 503. */
  public void register(Context ctx) {
    api.register(ctx);
  }

  /** {@code GET /v1/callbacks[?service=]}: the registrations the caller may see, without secrets. */
  public void list(Context ctx) {
    api.list(ctx);
  }

  /** {@code DELETE /v1/callbacks/{service}/{id}}: 204, or 404 (also for another service's registration). */
  public void unregister(Context ctx) {
    api.unregister(ctx);
  }

  // ---- what the handlers do

  /** What {@link #create} did: the stored registration, or why a quota refused it; neither: an id collision. */
  record Creation(CallbackRegistration registration, String refusal) {}

  /** Stores a validated registration within the quotas and starts delivering to it. */
  Creation create(String service, URI uri, String taskId, String owner) {
    CallbackRegistration r = new CallbackRegistration(Quotas.newId(owner, taskId), service, uri.toString(), taskId,
        owner, Secrets.random(32), Instant.now().toString(), null, null);
    CallbackStore.Created created = store.create(r, quotas);
    if (!created.created()) return new Creation(null, created.refusal());
    metrics.registration("created");
    log.info("registered: callback {}/{} to {}:{} for task {} of {}", service, r.id(), uri.getHost(), uri.getPort(),
        taskId, owner);
    RegistryWatch w = watch;
    if (w != null && w.containsTask(taskId)) seenOwners.add(taskId);
    Receiver receiver = track(r);
    ensureWatch();
    offerCurrent(receiver);
    return new Creation(r, null);
  }

  /** Whether {@code taskId} is a running task of {@code service} now. */
  boolean liveTask(String service, String taskId) {
    return store.liveTask(service, taskId);
  }

  void refused() {
    metrics.registration("refused");
  }

  /** The registrations {@code caller} may see, of {@code service} or all. */
  List<Map<String, Object>> views(String service, Caller caller) {
    List<Map<String, Object>> out = new ArrayList<>();
    receivers.values().stream()
        .filter(r -> service == null || r.registration().service().equals(service))
        .filter(r -> caller.admin() || caller.service().equals(r.registration().owner()))
        .sorted(Comparator.comparing((Receiver r) -> r.registration().service())
            .thenComparing(r -> r.registration().createdAt(), Comparator.nullsFirst(Comparator.naturalOrder())))
        .forEach(r -> {
          Map<String, Object> view = new LinkedHashMap<>(r.registration().publicView());
          if (r.lastError() != null) view.put("lastError", r.lastError());
          out.add(view);
        });
    return out;
  }

  /** The stored registration {@code service/id}, read from etcd (another subscriber may have made it). */
  Optional<CallbackRegistration> registration(String service, String id) {
    return store.load(service, id);
  }

  /** {@code true} if it existed. */
  boolean delete(String service, String id) {
    firstSeen.remove(id);
    boolean existed = store.delete(service, id);
    Receiver receiver = receivers.remove(id);
    if (receiver != null) receiver.close();
    stopWatchIfIdle();
    if (existed || receiver != null) {
      metrics.registration("removed");
      log.info("unregistered: callback {}/{}", service, id);
    }
    return existed || receiver != null;
  }

  // ---- delivery

  private Receiver track(CallbackRegistration r) {
    firstSeen.putIfAbsent(r.id(), Instant.now());
    return receivers.computeIfAbsent(r.id(), id -> new Receiver(r, http, scheduler, settings, metrics,
        delivered -> store.saveDelivered(delivered).exceptionally(e -> {
          log.warn("save failed: callback {}/{} delivery state: {}", delivered.service(), delivered.id(), e.getMessage());
          return false;
        }),
        () -> remove(r, "gone")));
  }

  private void offerCurrent(Receiver receiver) {
    RegistryWatch w = watch;
    if (w == null) return;
    CallbackRegistration r = receiver.registration();
    try {
      ServiceSnapshot snapshot = w.read(r.service());
      List<InstanceRecord> members = snapshot.instances().stream().filter(NodeQuery.defaults()::matches).toList();
      receiver.offer(members, Math.max(snapshot.revision(), w.revision()));
    } catch (RegistryUnavailableException e) {
      // not loaded yet: the load's change notification offers it
    }
  }

  private void serviceChanged(String service) {
    for (Receiver receiver : receivers.values()) {
      if (receiver.registration().service().equals(service)) offerCurrent(receiver);
    }
    removeOrphans();
  }

  /**
   * Re-reads registrations from etcd, drops orphans, and re-offers current members to everyone. A stored registration
   * is checked as a new one would be (anyone able to write to etcd could have put it there): one that fails is deleted,
   * with a log line saying why.
   */
  private void sweep() {
    try {
      // Only receivers known before the read can be judged by it: one registered meanwhile is not in it yet.
      Set<String> before = new HashSet<>(receivers.keySet());
      List<CallbackRegistration> stored = store.loadAll();
      Set<String> ids = new HashSet<>();
      for (CallbackRegistration r : stored) {
        ids.add(r.id());
        if (receivers.containsKey(r.id())) continue;
        String problem = problem(r);
        if (problem != null) {
          drop(r, problem);
          continue;
        }
        log.info("loaded: callback {}/{} for task {}", r.service(), r.id(), r.taskId());
        track(r);
      }
      for (String id : before) {
        if (!ids.contains(id)) {
          Receiver gone = receivers.remove(id);
          firstSeen.remove(id);
          if (gone != null) {
            gone.close();
            log.info("dropped: callback {} (deleted from etcd)", id);
          }
        }
      }
      if (receivers.isEmpty()) {
        stopWatchIfIdle();
        return;
      }
      ensureWatch();
      removeOrphans();
      for (Receiver receiver : receivers.values()) offerCurrent(receiver);
    } catch (EtcdException e) {
      log.warn("sweep failed: {}", e.getMessage());
    } catch (RuntimeException e) {
      log.warn("sweep failed: {}", e.toString());
    }
  }

  /** Why a stored registration may not be delivered to, or {@code null}. */
  private String problem(CallbackRegistration r) {
    if (r.secret() == null || r.secret().isBlank()) return "it has no secret";
    if (r.taskId() == null) return "it is tied to no task (registrations go with their task)";
    try {
      RegistryKeys.callback(environment, r.service(), r.id());
      RegistryKeys.instance(environment, r.owner() == null ? r.service() : r.owner(), r.taskId());
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    return validator.problemWithoutResolving(r.url());
  }

  private void drop(CallbackRegistration r, String problem) {
    try {
      store.delete(r.service(), r.id());
      metrics.registration("invalid");
      log.warn("dropped: callback {}/{} stored in etcd: {}", UntrustedText.escape(r.service()),
          UntrustedText.escape(r.id()), UntrustedText.escape(problem, 500));
    } catch (EtcdException | IllegalArgumentException e) {
      log.warn("drop failed: callback {}: {}; the next sweep retries", UntrustedText.escape(r.id()), e.getMessage());
    }
  }

  /** Removes registrations whose task left the registry (or never appeared within the grace period). */
  private void removeOrphans() {
    RegistryWatch w = watch;
    if (w == null) return;
    try {
      if (!w.awaitLoaded(Duration.ZERO)) return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    Instant graceStart = Instant.now().minus(settings.orphanGrace());
    for (Receiver receiver : receivers.values()) {
      CallbackRegistration r = receiver.registration();
      if (w.containsTask(r.taskId())) {
        seenOwners.add(r.taskId());
      } else if (seenOwners.contains(r.taskId()) || created(r).isBefore(graceStart)) {
        remove(r, "orphaned");
      }
    }
  }

  /** When {@code r} was made: its {@code createdAt}, else when this subscriber first saw it. */
  private Instant created(CallbackRegistration r) {
    if (r.createdAt() != null) {
      try {
        return Instant.parse(r.createdAt());
      } catch (DateTimeParseException e) {
        // hand-written or damaged: fall through
      }
    }
    return firstSeen.getOrDefault(r.id(), Instant.now());
  }

  private void remove(CallbackRegistration r, String why) {
    firstSeen.remove(r.id());
    Receiver receiver = receivers.remove(r.id());
    if (receiver != null) receiver.close();
    stopWatchIfIdle();
    try {
      store.delete(r.service(), r.id());
      metrics.registration(why);
      log.info("removed: callback {}/{} ({}; task {})", r.service(), r.id(), why, r.taskId());
    } catch (EtcdException e) {
      log.warn("remove failed: callback {}/{}: {}; the next sweep retries", r.service(), r.id(), e.getMessage());
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      if (watch != null) watch.close();
      watch = null;
    }
    scheduler.shutdownNow();
    receivers.values().forEach(Receiver::close);
    receivers.clear();
    http.dispatcher().executorService().shutdownNow();
    http.connectionPool().evictAll();
  }
}
