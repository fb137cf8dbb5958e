package mdo.subscriber;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import mdo.marathon.MarathonClient;
import mdo.marathon.MarathonException;
import mdo.marathon.MarathonUnavailableException;
import mdo.registry.writer.RegistryWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks etcd and Marathon whether they answer, every {@code interval}, into {@link Reachability}. When either comes
 * back, or etcd writes failed since the last resync, it asks for a resync (writes may have been lost); the
 * {@link ResyncScheduler} decides when that runs. A probe that throws is logged and the next one runs as usual.
 */
final class HealthProbe {
  private static final Logger log = LoggerFactory.getLogger(HealthProbe.class);

  private final RegistryWriter writer;
  private final MarathonClient marathon;
  private final ResyncTrigger resyncs;
  private final Runnable whileMarathonAnswers;
  private final Reachability reachability;
  private final SubscriberMetrics metrics;
  private String lastError;

  /**
   * @param marathon null where the framework writes the registry: then only etcd is probed
   * @param whileMarathonAnswers run after every probe Marathon answered (e.g. keeping a callback subscribed)
   */
  HealthProbe(RegistryWriter writer, MarathonClient marathon, ResyncTrigger resyncs, Runnable whileMarathonAnswers,
      Reachability reachability, SubscriberMetrics metrics) {
    this.writer = writer;
    this.marathon = marathon;
    this.resyncs = resyncs;
    this.whileMarathonAnswers = whileMarathonAnswers;
    this.reachability = reachability;
    this.metrics = metrics;
  }

  void start(ScheduledExecutorService scheduler, long intervalMillis) {
    // a task of scheduleWithFixedDelay that throws is never run again: probe() throws nothing
    scheduler.scheduleWithFixedDelay(this::probe, 0, intervalMillis, TimeUnit.MILLISECONDS);
  }

  void probe() {
    try {
      boolean etcdNow = writer.registryReachable();
      boolean marathonNow = true;
      try {
        if (marathon != null) marathon.leader();
      } catch (MarathonUnavailableException e) {
        marathonNow = false;
      } catch (MarathonException e) {
        marathonNow = true; // it answered
      }
      Reachability.Back back = reachability.probed(etcdNow, marathonNow);
      if (marathonNow) whileMarathonAnswers.run();
      if (back.any() || (etcdNow && writer.needsResync())) {
        resyncs.request(back.etcd() ? "etcd back" : back.marathon() ? "Marathon back" : "after etcd write failures",
            false);
      }
      lastError = null;
    } catch (RuntimeException e) {
      metrics.internalError("probe");
      if (!e.toString().equals(lastError)) log.error("failed: health probe (it runs again)", e);
      lastError = e.toString();
    }
  }
}
