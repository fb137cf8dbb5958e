package mdo.framework.server;

import io.etcd.jetcd.Client;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import mdo.command.DaemonThreads;
import mdo.config.MdoConfig;
import mdo.framework.desired.DesiredStateStore;
import mdo.framework.scheduler.DesiredWatch;
import mdo.framework.scheduler.FrameworkClusterView;
import mdo.framework.scheduler.Scheduler;
import mdo.framework.scheduler.SchedulerMetrics;
import mdo.framework.scheduler.SchedulerSettings;
import mdo.framework.state.EtcdFrameworkIdStore;
import mdo.framework.state.StateStore;
import mdo.mesos.ConnectionStatus;
import mdo.mesos.MesosSettings;
import mdo.mesos.SchedulerConnection;
import mdo.registry.store.EtcdRegistryStore;
import mdo.registry.store.Fence;
import mdo.registry.writer.RegistryWriter;
import mdo.registry.writer.ResyncResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything that exists only while this process leads its environment: the registry writer (loaded with the registry
 * first), the scheduler with its task records, the desired state watch, the Mesos subscription and the periodic
 * resync. {@link #close()} stops them
 * all (the tasks keep running under Mesos for the failover timeout); the next term, here or in a standby, starts from
 * etcd and reconciles.
 */
final class LeaderTerm implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaderTerm.class);
  private static final Duration REFRESH_DELAY = Duration.ofMillis(200);

  private final RegistryWriter writer;
  private final Scheduler scheduler;
  private final SchedulerConnection connection;
  private final DesiredWatch watch;
  private final ScheduledExecutorService resyncs =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory("mdo-framework-resync"));
  private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
  private volatile ResyncResult lastResync;

  /**
   * Builds and starts the term; an {@link mdo.registry.store.EtcdException} means it could not (nothing runs).
   *
   * @param fence the leadership every etcd write of the term must still hold
   */
  LeaderTerm(MdoConfig config, Client etcd, FrameworkTuning tuning, SchedulerMetrics metrics, Clock clock,
      Fence fence) {
    String env = config.environment();
    Duration timeout = tuning.etcdTimeout();
    FrameworkClusterView view = new FrameworkClusterView(env, () -> scheduler().snapshot());
    this.writer = new RegistryWriter(env, new EtcdRegistryStore(etcd.getKVClient(), timeout, fence), view, timeout,
        null);
    this.scheduler = new Scheduler(env, tuning.scheduler(), new StateStore(etcd.getKVClient(), env, timeout, fence),
        writer, metrics, clock, this::refresh);
    this.connection = new SchedulerConnection(mesosSettings(config, tuning), new EtcdFrameworkIdStore(
        etcd.getKVClient(), env, timeout, fence), scheduler);
    this.watch = new DesiredWatch(etcd, new DesiredStateStore(etcd.getKVClient(), env, timeout), scheduler,
        tuning.relistInterval());
    try {
      writer.load(); // before any observation: never hand out an ordinal the previous leader gave
      scheduler.start(connection);
      watch.start();
      connection.start();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    long every = tuning.resyncInterval().toMillis();
    resyncs.scheduleWithFixedDelay(this::resync, Math.min(every, 1000), every, TimeUnit.MILLISECONDS);
  }

  private Scheduler scheduler() {
    return scheduler;
  }

  /** Re-reads one app into the registry soon, once per app however often asked meanwhile. */
  private void refresh(String appId) {
    if (!refreshing.add(appId)) return;
    resyncs.schedule(() -> {
      refreshing.remove(appId);
      try {
        ResyncResult r = writer.refreshApp(appId);
        if (r.failure() != null || r.writes() > 0) log.info("refresh of {}: {}", appId, r.summary());
      } catch (RuntimeException e) {
        log.error("failed: refresh of {}: {}", appId, e.toString(), e);
      }
    }, REFRESH_DELAY.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The registry against the scheduler's own state, once it read the desired state. */
  private void resync() {
    Scheduler.Snapshot s = scheduler.snapshot();
    if (s == null || !s.desiredLoaded()) return;
    try {
      ResyncResult r = writer.resync(false);
      lastResync = r;
      if (r.failure() != null || r.writes() > 0 || r.refusedDeletes() > 0) log.info("resync: {}", r.summary());
    } catch (RuntimeException e) {
      log.error("failed: resync: {}", e.toString(), e);
    }
  }

  Scheduler.Snapshot snapshot() {
    return scheduler.snapshot();
  }

  ConnectionStatus connection() {
    return connection.status();
  }

  String failed() {
    return scheduler.failed();
  }

  ResyncResult lastResync() {
    return lastResync;
  }

  /** The wire client's settings from config.yaml's {@code mesos:} section. */
  static MesosSettings mesosSettings(MdoConfig config, FrameworkTuning tuning) {
    mdo.config.MesosSettings m = config.mesos();
    return new MesosSettings(m.masters(), m.principal(),
        m.secret(), m.role(), m.frameworkName(), m.user(), m.failoverTimeout(), m.caFile(), null,
        tuning.requestTimeout(), 0, tuning.backoffMin(), tuning.backoffMax(), null);
  }

  @Override
  public void close() {
    resyncs.shutdownNow();
    watch.close();
    connection.close();
    scheduler.close();
    writer.close();
  }
}
