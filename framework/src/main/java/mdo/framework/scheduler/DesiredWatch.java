package mdo.framework.scheduler;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import mdo.command.DaemonThreads;
import mdo.framework.desired.DesiredJson;
import mdo.framework.desired.DesiredService;
import mdo.framework.desired.DesiredStateStore;
import mdo.framework.desired.FrameworkKeys;
import mdo.registry.Etcd;
import mdo.registry.store.EtcdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the scheduler the desired state: a full listing first, then an etcd watch from the listing's revision, so no
 * change in between is missed. A broken watch (etcd restarted, history compacted) and every {@code relistInterval}
 * give a full listing again; a listing that fails is retried every second.
 */
public final class DesiredWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DesiredWatch.class);

  private final Client etcd;
  private final DesiredStateStore store;
  private final Scheduler scheduler;
  private final Duration relistInterval;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory("mdo-framework-desired"));
  private Watch.Watcher watcher; // the thread's
  private volatile boolean closed;

  public DesiredWatch(Client etcd, DesiredStateStore store, Scheduler scheduler, Duration relistInterval) {
    this.etcd = etcd;
    this.store = store;
    this.scheduler = scheduler;
    this.relistInterval = relistInterval;
  }

  public void start() {
    thread.execute(this::relist);
    thread.scheduleWithFixedDelay(this::relist, relistInterval.toMillis(), relistInterval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void relist() {
    if (closed) return;
    try {
      DesiredStateStore.Listing listing = store.list();
      Set<String> unreadable = new HashSet<>();
      for (String key : listing.malformed()) {
        unreadable.add(FrameworkKeys.nameUnder(FrameworkKeys.services(store.environment()), key));
      }
      scheduler.desiredListing(listing.services(), unreadable);
      rewatch(listing.revision() + 1);
    } catch (EtcdException e) {
      log.warn("failed: reading the desired state: {}; retrying in 1 s", e.getMessage());
      thread.schedule(this::relist, 1, TimeUnit.SECONDS);
    } catch (RuntimeException e) {
      log.error("failed: reading the desired state: {}", e.toString(), e);
    }
  }

  private void rewatch(long fromRevision) {
    if (watcher != null) watcher.close();
    String prefix = FrameworkKeys.services(store.environment());
    watcher = etcd.getWatchClient().watch(Etcd.bytes(prefix),
        WatchOption.builder().isPrefix(true).withRevision(fromRevision).build(),
        Watch.listener(this::changed, error -> {
          if (closed) return;
          log.warn("lost: the desired state watch ({}); listing again", error.getMessage());
          thread.execute(this::relist);
        }));
  }

  private void changed(WatchResponse response) {
    String prefix = FrameworkKeys.services(store.environment());
    for (WatchEvent e : response.getEvents()) {
      String key = e.getKeyValue().getKey().toString();
      String service = FrameworkKeys.nameUnder(prefix, key);
      if (service == null) continue;
      if (e.getEventType() == WatchEvent.EventType.DELETE) {
        log.info("desired: {} deleted", service);
        scheduler.desiredChanged(service, null);
        continue;
      }
      try {
        DesiredService d = DesiredJson.read(e.getKeyValue().getValue().getBytes(), key);
        log.info("desired: {} version {} ({} instance(s), deployment {})", service, d.version(), d.instances(),
            d.deploymentId());
        scheduler.desiredChanged(service, d);
      } catch (IllegalArgumentException ex) {
        log.warn("skipped: {}; the scheduler keeps the last desired state it could read", ex.getMessage());
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (watcher != null) watcher.close();
  }
}
