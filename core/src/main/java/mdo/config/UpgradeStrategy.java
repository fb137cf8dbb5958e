package mdo.config;

/**
 * How a rolling upgrade replaces a service's instances, in Marathon's terms ({@code upgradeStrategy}): at least
 * {@code ceil(instances × minimumHealthCapacity)} instances stay healthy, and at most
 * {@code floor(instances × (1 + maximumOverCapacity))} run at once (Marathon's {@code TaskReplaceActor}).
 *
 * <p>A service with {@code ports-hard} runs one instance per host, and a new instance needs a host without one. Where
 * every host already runs one (a cluster with as many agents as instances), an upgrade gets through only if it may stop
 * an old instance before it starts a new one: {@link #waitsForAFreeHost}.
 */
public record UpgradeStrategy(double minimumHealthCapacity, double maximumOverCapacity) {
  /** Marathon's default: every new instance runs before an old one stops. */
  public static final UpgradeStrategy MARATHON_DEFAULT = new UpgradeStrategy(1, 1);

  public UpgradeStrategy {
    if (!(minimumHealthCapacity >= 0 && minimumHealthCapacity <= 1)) {
      throw new IllegalArgumentException("minimumHealthCapacity must be 0 to 1, got " + minimumHealthCapacity);
    }
    if (!(maximumOverCapacity >= 0 && maximumOverCapacity <= 1)) {
      throw new IllegalArgumentException("maximumOverCapacity must be 0 to 1, got " + maximumOverCapacity);
    }
  }

  /**
   * What mdo uses for a service with fixed host ports when config.yaml says nothing: half the instances at a time
   * (0.5 / 0), and for a single instance stop it first (0 / 0), because with 0.5 its one healthy instance has to stay
   * while the replacement cannot be placed next to it.
   */
  public static UpgradeStrategy forFixedHostPorts(int instances) {
    return instances <= 1 ? new UpgradeStrategy(0, 0) : new UpgradeStrategy(0.5, 0);
  }

  /**
   * True when, for {@code instances} instances each alone on its host, no old instance may stop before a new one is
   * healthy ({@code ceil(instances × minimumHealthCapacity) >= instances}): the new one then waits for a host without
   * one forever, unless the cluster has such hosts to spare.
   */
  public boolean waitsForAFreeHost(int instances) {
    return instances > 0 && Math.ceil(instances * minimumHealthCapacity) >= instances;
  }
}
