package mdo.framework.server;

import java.time.Duration;
import mdo.config.MdoConfig;
import mdo.framework.scheduler.SchedulerSettings;

/**
 * The timings of one {@code bin/framework} process: {@link #defaults} for production, shorter ones in tests.
 *
 * @param etcdTimeout per-request etcd timeout
 * @param relistInterval how often the whole desired state is read again beside the watch
 * @param resyncInterval how often the registry is compared with the scheduler's state
 * @param requestTimeout per-call timeout towards the Mesos master
 * @param backoffMin first wait before re-subscribing to a master that failed, doubling up to {@code backoffMax}
 */
public record FrameworkTuning(Duration etcdTimeout, SchedulerSettings scheduler, Duration relistInterval,
    Duration resyncInterval, Duration requestTimeout, Duration backoffMin, Duration backoffMax) {

  public static FrameworkTuning defaults(MdoConfig config) {
    return new FrameworkTuning(Duration.ofSeconds(5), SchedulerSettings.defaults(config.mesos().unreachableTimeout()),
        Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(1),
        Duration.ofSeconds(15));
  }

  public FrameworkTuning withScheduler(SchedulerSettings settings) {
    return new FrameworkTuning(etcdTimeout, settings, relistInterval, resyncInterval, requestTimeout, backoffMin,
        backoffMax);
  }

  public FrameworkTuning withIntervals(Duration relist, Duration resync, Duration subscribeBackoffMin,
      Duration subscribeBackoffMax) {
    return new FrameworkTuning(etcdTimeout, scheduler, relist, resync, requestTimeout, subscribeBackoffMin,
        subscribeBackoffMax);
  }
}
