package mdo.framework.server;

import io.etcd.jetcd.Client;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import mdo.command.CrossSiteGuard;
import mdo.command.DaemonThreads;
import mdo.config.MdoConfig;
import mdo.framework.desired.FrameworkKeys;
import mdo.framework.scheduler.Scheduler;
import mdo.framework.scheduler.SchedulerMetrics;
import mdo.leader.ElectionTiming;
import mdo.leader.Leader;
import mdo.leader.LeaderElection;
import mdo.leader.Term;
import mdo.mesos.ConnectionStatus;
import mdo.registry.Etcd;
import mdo.registry.RegistryJson;
import mdo.registry.store.EtcdException;
import mdo.registry.store.FencedException;
import mdo.registry.writer.ResyncResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code bin/framework} process: its HTTP surface ({@code /health}, {@code /metrics}), its etcd client, its part
 * in the environment's leader election ({@link LeaderElection}, role {@code framework}: any number of processes run,
 * one leads), and the {@link LeaderTerm} it runs while it leads, every etcd write fenced by the term. Elected, it
 * starts a term (retrying while etcd cannot be read, as long as it still leads); deposed, it stops it at once, and a
 * standby's term resumes the framework with the id stored in etcd. Closing resigns, so a standby takes over without
 * waiting for the lease to expire.
 */
public final class FrameworkProcess implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FrameworkProcess.class);
  private static final Duration RETRY = Duration.ofSeconds(2);


  private final MdoConfig config;
  private final FrameworkTuning tuning;
  private final Clock clock;
  private final Client etcd;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final SchedulerMetrics metrics = new SchedulerMetrics(registry);
  private final ElectionTiming timing;
  private final ExecutorService terms = Executors.newSingleThreadExecutor(DaemonThreads.factory("mdo-framework-term"));
  private final ScheduledExecutorService probes =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory("mdo-framework-probe"));
  private volatile LeaderElection election;
  private volatile Leader following;
  private volatile LeaderTerm term;
  private volatile boolean etcdReachable = true;
  private volatile boolean closed;
  private Javalin app;

  /** @param timing how fast leadership moves between this environment's framework processes */
  public FrameworkProcess(MdoConfig config, FrameworkTuning tuning, ElectionTiming timing, Clock clock) {
    this.config = config;
    this.tuning = tuning;
    this.timing = timing;
    this.clock = clock;
    this.etcd = Etcd.client(config.etcd());
    Gauge.builder("mdo_framework_subscribed", () -> {
      LeaderTerm t = term;
      return t != null && t.connection().healthy() ? 1 : 0;
    }).description("1 while this process leads and is subscribed to Mesos").register(registry);
    Gauge.builder("mdo_framework_leader", () -> term != null ? 1 : 0)
        .description("1 while this process leads its environment").register(registry);
  }

  /** Serves HTTP on {@code host:port} (0: any free port), then campaigns: leads at once if nobody does, else stands by. */
  public synchronized FrameworkProcess start(String host, int port) {
    CrossSiteGuard guard = new CrossSiteGuard(List.of(host));
    app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.routes.before(ctx -> { // no web page may read the framework's state through a browser (DNS rebinding)
        boolean hasBody = ctx.req().getContentLengthLong() > 0 || ctx.header("Transfer-Encoding") != null;
        CrossSiteGuard.Refusal refusal = guard.check(ctx.method().name(), ctx.header("Host"), ctx.header("Origin"),
            ctx.header("Content-Type"), hasBody);
        if (refusal != null) throw new HttpResponseException(refusal.status(), refusal.message());
      });
      cfg.routes.get("/health", this::health);
      cfg.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
          .result(registry.scrape()));
    });
    app.start(host, port);
    log.info("started: framework for environment '{}' on {}:{} (Mesos masters {})", config.environment(), host,
        app.port(), config.mesos().masters());
    probes.scheduleWithFixedDelay(this::probeEtcd, 0, 5, TimeUnit.SECONDS);
    String url = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + app.port();
    LeaderElection candidate = new LeaderElection(etcd, config.environment(), FrameworkKeys.LEADER_ROLE,
        LeaderElection.processId(), url, timing,
        new LeaderElection.Listener() {
          @Override
          public void elected(Term t) {
            terms.execute(() -> lead(t));
          }

          @Override
          public void deposed(Term t, String reason) {
            terms.execute(FrameworkProcess.this::stopLeading);
          }

          @Override
          public void following(Leader leader) {
            following = leader;
          }
        });
    election = candidate; // before it campaigns: lead() asks it whether the term is still held
    candidate.start();
    return this;
  }

  public int port() {
    return app.port();
  }

  /** Starts the term's work, retrying while etcd cannot be read and this process still holds {@code t}. */
  private void lead(Term t) {
    while (!closed && term == null && t.equals(election.term())) {
      try {
        term = new LeaderTerm(config, etcd, tuning, metrics, clock, election);
        log.info("leading: framework of environment '{}' ({})", config.environment(), t);
      } catch (EtcdException | FencedException e) {
        log.warn("failed: starting to lead: {}; retrying in {} s", e.getMessage(), RETRY.toSeconds());
        try {
          Thread.sleep(RETRY.toMillis()); // the term thread has nothing else to do; close() interrupts it
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /** The term ended: its Mesos subscription and writes stop now (etcd refuses them anyway, being fenced). */
  private void stopLeading() {
    LeaderTerm t = term;
    term = null;
    if (t != null) t.close();
  }

  private void probeEtcd() {
    try {
      EtcdException.await(etcd.getKVClient().get(Etcd.bytes(FrameworkKeys.frameworkId(config.environment()))),
          "read the framework id", Duration.ofSeconds(2));
      if (!etcdReachable) log.info("recovered: etcd {}", config.etcd().endpointList());
      etcdReachable = true;
    } catch (EtcdException e) {
      if (etcdReachable) log.warn("lost: etcd {}: {}", config.etcd().endpointList(), e.getMessage());
      etcdReachable = false;
    }
  }

  /** {@code /health}: 200 while leading and subscribed, 503 with the problems otherwise. */
  private void health(Context ctx) {
    Map<String, Object> body = health();
    ctx.status(Boolean.TRUE.equals(body.get("healthy")) ? 200 : 503).contentType("application/json")
        .result(RegistryJson.write(body));
  }

  /** What {@code /health} answers, as a map. */
  public Map<String, Object> health() {
    List<String> problems = new ArrayList<>();
    LeaderTerm t = term;
    if (!etcdReachable) problems.add("etcd unreachable (" + config.etcd().endpointList() + ")");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("environment", config.environment());
    LeaderElection e = election;
    boolean elected = e != null && e.leading();
    body.put("role", t != null ? "leader" : elected ? "starting" : "standby");
    Leader leader = elected ? null : following;
    if (leader != null) body.put("leader", Map.of("id", leader.id(), "url", String.valueOf(leader.url()),
        "since", String.valueOf(leader.since())));
    if (t != null) {
      ConnectionStatus c = t.connection();
      if (t.failed() != null) problems.add("the Mesos master refused this scheduler: " + t.failed());
      else if (!c.healthy()) problems.add("not subscribed to Mesos" + (c.lastError() == null ? "" : ": " + c.lastError()));
      Map<String, Object> mesos = new LinkedHashMap<>();
      mesos.put("state", c.state().name());
      mesos.put("master", c.master());
      mesos.put("frameworkId", c.frameworkId());
      mesos.put("subscriptions", c.subscriptions());
      mesos.put("events", c.eventsReceived());
      mesos.put("lastError", c.lastError());
      body.put("mesos", mesos);
      Scheduler.Snapshot s = t.snapshot();
      if (s != null) {
        Map<String, Object> scheduler = new LinkedHashMap<>();
        scheduler.put("desiredLoaded", s.desiredLoaded());
        scheduler.put("tasks", s.tasks().size());
        scheduler.put("heldOffers", s.heldOffers());
        scheduler.put("unansweredReconciliation", s.unansweredReconciliation());
        body.put("scheduler", scheduler);
        body.put("services", s.progress());
      }
      ResyncResult r = t.lastResync();
      if (r != null && r.failure() != null) problems.add("last resync failed: " + r.error());
      body.put("resync", r == null ? null : r.summary());
    } else if (elected) {
      problems.add("elected, the term not started yet (etcd?)");
    }
    body.put("etcd", Map.of("reachable", etcdReachable, "endpoints", config.etcd().endpointList()));
    body.put("healthy", problems.isEmpty());
    body.put("problems", problems);
    return body;
  }

  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    terms.shutdownNow();
    probes.shutdownNow();
    try {
      terms.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stopLeading();
    if (election != null) election.close(); // resigns: a standby leads at its next look, not after the lease's ttl
    if (app != null) app.stop();
    etcd.close();
    log.info("stopped: framework for environment '{}'", config.environment());
  }
}
