package mdo.subscriber.callbacks;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.Client;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
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
import mdo.guestutils.NodeQuery;
import mdo.guestutils.RegistryUnavailableException;
import mdo.guestutils.RegistryWatch;
import mdo.guestutils.ServiceSnapshot;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;
import mdo.subscriber.callbacks.CallbackStore.EtcdException;
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
  private RegistryWatch watch;

  public CallbackService(Client client, String environment, CallbackSettings settings, MeterRegistry meters) {
    RegistryKeys.environment(environment);
    this.client = client;
    this.environment = environment;
    this.settings = settings;
    this.store = new CallbackStore(client, environment);
    this.validator = new CallbackUrlValidator(settings);
    this.metrics = new CallbackMetrics(meters, receivers::size);
    this.scheduler = Executors.newScheduledThreadPool(3, r -> {
      Thread t = new Thread(r, "mdo-callbacks");
      t.setDaemon(true);
      return t;
    });
    Dispatcher dispatcher = new Dispatcher();
    // Each receiver has at most one request in flight; these limits only bound the total.
    dispatcher.setMaxRequests(4096);
    dispatcher.setMaxRequestsPerHost(4096);
    this.http = new OkHttpClient.Builder()
        .dispatcher(dispatcher)
        .dns(validator.dns())
        .callTimeout(settings.requestTimeout())
        .connectTimeout(settings.requestTimeout())
        .readTimeout(settings.requestTimeout())
        .followRedirects(false)
        .followSslRedirects(false)
        .retryOnConnectionFailure(false)
        .build();
  }

  /** Starts watching the registry and loads registrations (retrying in the background while etcd is down). */
  public CallbackService start() {
    watch = new RegistryWatch(client, environment, settings.coalesce());
    watch.onServiceChange(this::serviceChanged);
    watch.start();
    scheduler.scheduleWithFixedDelay(this::sweep, 0, settings.sweepInterval().toMillis(), TimeUnit.MILLISECONDS);
    scheduler.execute(() -> {
      try {
        if (watch.awaitLoaded(Duration.ofSeconds(30))) sweep(); // a first full pass as soon as the registry is known
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    return this;
  }

  /** Registers {@code POST /v1/callbacks}, {@code GET /v1/callbacks} and {@code DELETE /v1/callbacks/{service}/{id}}. */
  public void routes(JavalinConfig cfg) {
    cfg.routes.post("/v1/callbacks", this::register);
    cfg.routes.get("/v1/callbacks", this::list);
    cfg.routes.delete("/v1/callbacks/{service}/{id}", this::unregister);
  }

  /** Active registrations (for /health). */
  public int registrations() {
    return receivers.size();
  }

  // ---- HTTP handlers

  public void register(Context ctx) {
    if (!authorized(ctx)) return;
    JsonNode body;
    try {
      body = RegistryJson.MAPPER.readTree(ctx.bodyAsBytes());
    } catch (IOException e) {
      badRequest(ctx, "body must be JSON {service, url, taskId?}");
      return;
    }
    if (body == null || !body.isObject()) {
      badRequest(ctx, "body must be JSON {service, url, taskId?}");
      return;
    }
    String service = text(body, "service");
    String url = text(body, "url");
    String taskId = text(body, "taskId");
    try {
      RegistryKeys.instances(environment, service == null ? "" : service);
      if (taskId != null) RegistryKeys.instance(environment, service, taskId);
    } catch (IllegalArgumentException e) {
      badRequest(ctx, e.getMessage());
      return;
    }
    URI uri;
    try {
      uri = validator.validate(url);
    } catch (IllegalArgumentException e) {
      badRequest(ctx, "callback URL refused: " + e.getMessage());
      return;
    }
    if (receivers.size() >= settings.maxRegistrations()) {
      metrics.registration("refused");
      error(ctx, HttpStatus.CONFLICT, "too many callback registrations (" + settings.maxRegistrations() + ")");
      return;
    }
    CallbackRegistration r = new CallbackRegistration(Signatures.random(8), service, uri.toString(), taskId,
        Signatures.random(32), Instant.now().toString(), null, null);
    try {
      if (!store.create(r)) {
        error(ctx, HttpStatus.CONFLICT, "registration id collision, retry");
        return;
      }
    } catch (EtcdException e) {
      error(ctx, HttpStatus.SERVICE_UNAVAILABLE, "registry unavailable: " + e.getMessage());
      return;
    }
    metrics.registration("created");
    log.info("registered: callback {}/{} to {}:{} for task {}", service, r.id(), uri.getHost(), uri.getPort(), taskId);
    if (taskId != null && watch != null && watch.containsTask(taskId)) seenOwners.add(taskId);
    Receiver receiver = track(r);
    offerCurrent(receiver);
    Map<String, Object> answer = new LinkedHashMap<>(r.publicView());
    answer.put("secret", r.secret());
    answer.put("signature", Signatures.HEADER + ": sha256=<hex HMAC-SHA256 of the body keyed with secret>");
    ctx.status(HttpStatus.CREATED).json(answer);
  }

  public void list(Context ctx) {
    if (!authorized(ctx)) return;
    String service = ctx.queryParam("service");
    List<Map<String, Object>> out = new ArrayList<>();
    receivers.values().stream()
        .filter(r -> service == null || r.registration().service().equals(service))
        .sorted(Comparator.comparing((Receiver r) -> r.registration().service()).thenComparing(r -> r.registration().createdAt()))
        .forEach(r -> {
          Map<String, Object> view = new LinkedHashMap<>(r.registration().publicView());
          if (r.lastError() != null) view.put("lastError", r.lastError());
          out.add(view);
        });
    ctx.json(out);
  }

  public void unregister(Context ctx) {
    if (!authorized(ctx)) return;
    String service = ctx.pathParam("service");
    String id = ctx.pathParam("id");
    try {
      RegistryKeys.callback(environment, service, id);
      boolean existed = store.delete(service, id);
      Receiver receiver = receivers.remove(id);
      if (receiver != null) receiver.close();
      if (!existed && receiver == null) {
        error(ctx, HttpStatus.NOT_FOUND, "no callback " + service + "/" + id);
        return;
      }
    } catch (IllegalArgumentException e) {
      badRequest(ctx, e.getMessage());
      return;
    } catch (EtcdException e) {
      error(ctx, HttpStatus.SERVICE_UNAVAILABLE, "registry unavailable: " + e.getMessage());
      return;
    }
    metrics.registration("removed");
    log.info("unregistered: callback {}/{}", service, id);
    ctx.status(HttpStatus.NO_CONTENT);
  }

  private boolean authorized(Context ctx) {
    if (settings.token() == null) return true;
    String header = ctx.header("Authorization");
    String given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
    if (Signatures.constantTimeEquals(given, settings.token())) return true;
    ctx.header("WWW-Authenticate", "Bearer");
    error(ctx, HttpStatus.UNAUTHORIZED, "missing or wrong bearer token");
    return false;
  }

  private static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText().trim();
  }

  private static void badRequest(Context ctx, String message) {
    error(ctx, HttpStatus.BAD_REQUEST, message);
  }

  private static void error(Context ctx, HttpStatus status, String message) {
    ctx.status(status).json(Map.of("error", message));
  }

  // ---- delivery

  private Receiver track(CallbackRegistration r) {
    return receivers.computeIfAbsent(r.id(), id -> new Receiver(r, http, scheduler, settings, metrics,
        delivered -> store.saveDelivered(delivered).exceptionally(e -> {
          log.warn("save failed: callback {}/{} delivery state: {}", delivered.service(), delivered.id(), e.getMessage());
          return false;
        }),
        () -> remove(r, "gone")));
  }

  private void offerCurrent(Receiver receiver) {
    if (watch == null) return;
    CallbackRegistration r = receiver.registration();
    try {
      ServiceSnapshot snapshot = watch.read(r.service());
      List<InstanceRecord> members = snapshot.instances().stream().filter(NodeQuery.defaults()::matches).toList();
      receiver.offer(members, Math.max(snapshot.revision(), watch.revision()));
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

  /** Re-reads registrations from etcd, drops orphans, and re-offers current members to everyone. */
  private void sweep() {
    try {
      // Only receivers known before the read can be judged by it: one registered meanwhile is not in it yet.
      Set<String> before = new HashSet<>(receivers.keySet());
      List<CallbackRegistration> stored = store.loadAll();
      Set<String> ids = new HashSet<>();
      for (CallbackRegistration r : stored) {
        ids.add(r.id());
        if (!receivers.containsKey(r.id())) {
          log.info("loaded: callback {}/{} for task {}", r.service(), r.id(), r.taskId());
          track(r);
        }
      }
      for (String id : before) {
        if (!ids.contains(id)) {
          Receiver gone = receivers.remove(id);
          if (gone != null) {
            gone.close();
            log.info("dropped: callback {} (deleted from etcd)", id);
          }
        }
      }
      removeOrphans();
      for (Receiver receiver : receivers.values()) offerCurrent(receiver);
    } catch (EtcdException e) {
      log.warn("sweep failed: {}", e.getMessage());
    } catch (RuntimeException e) {
      log.warn("sweep failed: {}", e.toString());
    }
  }

  /** Removes registrations whose task left the registry (or never appeared within the grace period). */
  private void removeOrphans() {
    if (watch == null) return;
    try {
      if (!watch.awaitLoaded(Duration.ZERO)) return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    Instant graceStart = Instant.now().minus(settings.orphanGrace());
    for (Receiver receiver : receivers.values()) {
      CallbackRegistration r = receiver.registration();
      if (r.taskId() == null) continue;
      if (watch.containsTask(r.taskId())) {
        seenOwners.add(r.taskId());
      } else if (seenOwners.contains(r.taskId()) || Instant.parse(r.createdAt()).isBefore(graceStart)) {
        remove(r, "orphaned");
      }
    }
  }

  private void remove(CallbackRegistration r, String why) {
    Receiver receiver = receivers.remove(r.id());
    if (receiver != null) receiver.close();
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
    if (watch != null) watch.close();
    scheduler.shutdownNow();
    receivers.values().forEach(Receiver::close);
    receivers.clear();
    http.dispatcher().executorService().shutdownNow();
    http.connectionPool().evictAll();
  }
}
