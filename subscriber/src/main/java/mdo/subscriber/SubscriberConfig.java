package mdo.subscriber;

import java.time.Duration;
import java.util.Objects;
import mdo.config.MarathonSettings;
import mdo.config.SubscriberSettings;
import mdo.registry.EtcdSettings;
import mdo.registry.RegistryKeys;

/**
 * Everything a {@link Subscriber} needs, as explicit settings: the config.yaml loader or the CLI flags build one.
 *
 * @param environment the registry environment ({@code /mdo/<environment>/...}); only apps labelled
 *     {@code MDO_ENVIRONMENT=<environment>} are registered
 * @param tuning timings that tests and benchmarks shorten; {@link Tuning#defaults()} otherwise
 * @param registryWriter who writes the instance records: this subscriber, from Marathon's events (the default), or
 *     the native framework ({@code backend: mesos}), whose registry the subscriber then only serves
 */
public record SubscriberConfig(EtcdSettings etcd, MarathonSettings marathon, SubscriberSettings subscriber,
    String environment, Tuning tuning, RegistryWriter registryWriter) {

  /** Who writes the instance records. */
  public enum RegistryWriter {
    /** The subscriber, from Marathon's events and listings. */
    SUBSCRIBER,
    /**
     * {@code bin/framework} ({@code backend: mesos}): the subscriber reads the registry for {@code /info} and
     * {@code /v1/services}, shows why tasks wait, and delivers callbacks; it neither follows Marathon nor writes.
     */
    FRAMEWORK;

    /** The writer for config.yaml's {@code backend:}. */
    public static RegistryWriter forBackend(String backend) {
      return "mesos".equals(backend) ? FRAMEWORK : SUBSCRIBER;
    }
  }

  public SubscriberConfig {
    Objects.requireNonNull(etcd, "etcd");
    Objects.requireNonNull(marathon, "marathon");
    Objects.requireNonNull(subscriber, "subscriber");
    if (environment == null || environment.isBlank()) environment = RegistryKeys.DEFAULT_ENVIRONMENT;
    RegistryKeys.environment(environment);
    if (tuning == null) tuning = Tuning.defaults();
    if (registryWriter == null) registryWriter = RegistryWriter.SUBSCRIBER;
  }

  public SubscriberConfig(EtcdSettings etcd, MarathonSettings marathon, SubscriberSettings subscriber,
      String environment, Tuning tuning) {
    this(etcd, marathon, subscriber, environment, tuning, null);
  }

  public SubscriberConfig(EtcdSettings etcd, MarathonSettings marathon, SubscriberSettings subscriber,
      String environment) {
    this(etcd, marathon, subscriber, environment, null, null);
  }

  /** Whether the framework writes the registry and this subscriber only serves it. */
  public boolean readsOnly() {
    return registryWriter == RegistryWriter.FRAMEWORK;
  }

  /**
   * @param healthInterval how often etcd and Marathon are probed for /health (and a resync follows their return)
   * @param refreshDelay how long app refreshes wait, so a burst of events for one app causes one refetch
   * @param queueCapacity events held before the queue overflows (then events are dropped and a resync runs)
   * @param workers threads applying events (events of one app are applied in order by one thread at a time). They
   *     mostly wait for etcd, so there are many: with fewer threads than busy apps, apps wait for a thread while
   *     others wait for etcd (at 1,000 events/s over 20 apps, 16 threads gave p99 ~500 ms, 64 gave ~60 ms)
   * @param etcdTimeout per-request etcd timeout
   * @param reconnectBase first reconnect delay of the event stream; doubles up to {@code reconnectMax}
   * @param resyncRetryBase first retry delay after a failed resync; doubles up to {@code resyncRetryMax}
   */
  public record Tuning(Duration healthInterval, Duration refreshDelay, int queueCapacity, int workers,
      Duration etcdTimeout, Duration reconnectBase, Duration reconnectMax, Duration resyncRetryBase,
      Duration resyncRetryMax) {
    /** With the default resync retry backoff. */
    public Tuning(Duration healthInterval, Duration refreshDelay, int queueCapacity, int workers, Duration etcdTimeout,
        Duration reconnectBase, Duration reconnectMax) {
      this(healthInterval, refreshDelay, queueCapacity, workers, etcdTimeout, reconnectBase, reconnectMax,
          Duration.ofMillis(500), Duration.ofSeconds(30));
    }

    public static Tuning defaults() {
      return new Tuning(Duration.ofSeconds(5), Duration.ofMillis(200), 100_000, 64, Duration.ofSeconds(5),
          Duration.ofMillis(250), Duration.ofSeconds(30), Duration.ofMillis(500), Duration.ofSeconds(30));
    }
  }
}
