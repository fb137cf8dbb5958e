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
 * back, or etcd writes failed since the last resync, it asks for a resync (writes may have been lost).
 */
final class HealthProbe {
  private static final Logger log = LoggerFactory.getLogger(HealthProbe.class);

  private final RegistryWriter writer;
  private final MarathonClient marathon;
  private final ResyncTrigger resyncs;
  private final Runnable whileMarathonAnswers;
  private final String etcdEndpoints;
  private final Reachability reachability;

  /** @param whileMarathonAnswers run after every probe Marathon answered (e.g. keeping a callback subscribed) */
  HealthProbe(RegistryWriter writer, MarathonClient marathon, ResyncTrigger resyncs, Runnable whileMarathonAnswers,
      String etcdEndpoints, Reachability reachability) {
    this.writer = writer;
    this.marathon = marathon;
    this.resyncs = resyncs;
    this.whileMarathonAnswers = whileMarathonAnswers;
    this.etcdEndpoints = etcdEndpoints;
    this.reachability = reachability;
  }

  void start(ScheduledExecutorService scheduler, long intervalMillis) {
    scheduler.scheduleWithFixedDelay(this::probe, 0, intervalMillis, TimeUnit.MILLISECONDS);
  }

  private void probe() {
    boolean etcdNow = writer.registryReachable();
    boolean marathonNow;
    try {
      marathon.leader();
      marathonNow = true;
    } catch (MarathonUnavailableException e) {
      marathonNow = false;
    } catch (MarathonException e) {
      marathonNow = true; // it answered
    }
    boolean etcdBack = etcdNow && !reachability.etcd();
    boolean marathonBack = marathonNow && !reachability.marathon();
    if (etcdNow != reachability.etcd()) log.warn("{}: etcd {}", etcdNow ? "recovered" : "lost", etcdEndpoints);
    if (marathonNow != reachability.marathon()) log.warn("{}: Marathon", marathonNow ? "recovered" : "lost");
    reachability.probed(etcdNow, marathonNow);
    if (marathonNow) whileMarathonAnswers.run();
    if (etcdBack || marathonBack || (etcdNow && writer.needsResync() && !resyncs.pending())) {
      resyncs.request(etcdBack ? "etcd back" : marathonBack ? "Marathon back" : "after etcd write failures", false);
    }
  }
}
