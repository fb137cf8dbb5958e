package mdo.marathon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import mdo.cluster.ServiceDefinition;
import mdo.config.UpgradeStrategy;

/**
 * The {@code upgradeStrategy} mdo sends. config.yaml's {@code upgrade-strategy} always wins. Without it:
 *
 * <ul>
 *   <li>a new app with fixed host ports gets {@link UpgradeStrategy#forFixedHostPorts}, because Marathon's default
 *       (1 / 1) starts every new instance before it stops an old one, and a new instance needs a host without one;
 *   <li>a replaced app keeps the strategy it has, so one set by hand survives {@code PUT ?partialUpdate=false} (which
 *       resets every field it is not sent). Only an app with fixed host ports whose change replaces instances gets
 *       mdo's strategy instead, when the one it has would wait forever ({@link UpgradeStrategy#waitsForAFreeHost}) or
 *       is mdo's own for another number of instances. A change of the strategy is itself a change Marathon rolls out,
 *       so a scale alone never changes it.
 * </ul>
 */
final class UpgradeStrategies {
  private UpgradeStrategies() {}

  /** For a new app; empty leaves Marathon's default. */
  static Optional<UpgradeStrategy> forCreate(ServiceDefinition service) {
    if (service.upgradeStrategy() != null) return Optional.of(service.upgradeStrategy());
    return service.hasFixedPorts() ? Optional.of(UpgradeStrategy.forFixedHostPorts(service.instances()))
        : Optional.empty();
  }

  /** For {@code desired} replacing the app Marathon returned as {@code running}. */
  static UpgradeStrategy forReplace(ServiceDefinition desired, ServiceDefinition current, JsonNode running) {
    if (desired.upgradeStrategy() != null) return desired.upgradeStrategy();
    UpgradeStrategy have = of(running);
    if (!desired.hasFixedPorts() || ServiceDefinition.scaleOnly(desired, current)) return have;
    return replacing(have, desired.instances());
  }

  /**
   * For a change of the running app that replaces its instances (a new image, a restart), where config.yaml is not
   * read; empty when the app's own strategy serves.
   */
  static Optional<UpgradeStrategy> forRollout(JsonNode running, int instances) {
    ServiceDefinition current = AppJson.definition("", running);
    if (!current.hasFixedPorts()) return Optional.empty();
    UpgradeStrategy have = of(running);
    UpgradeStrategy use = replacing(have, instances);
    return use.equals(have) ? Optional.empty() : Optional.of(use);
  }

  private static UpgradeStrategy replacing(UpgradeStrategy have, int instances) {
    UpgradeStrategy ours = UpgradeStrategy.forFixedHostPorts(instances);
    boolean oursForOtherCount = have.equals(UpgradeStrategy.forFixedHostPorts(1))
        || have.equals(UpgradeStrategy.forFixedHostPorts(2));
    return have.waitsForAFreeHost(instances) || oursForOtherCount ? ours : have;
  }

  /** The app's strategy; Marathon's default where it has none (it always writes one). */
  static UpgradeStrategy of(JsonNode app) {
    JsonNode s = app.path("upgradeStrategy");
    if (!s.isObject()) return UpgradeStrategy.MARATHON_DEFAULT;
    return new UpgradeStrategy(s.path("minimumHealthCapacity").asDouble(1), s.path("maximumOverCapacity").asDouble(1));
  }

  static ObjectNode json(UpgradeStrategy strategy) {
    return JsonNodeFactory.instance.objectNode().put("minimumHealthCapacity", strategy.minimumHealthCapacity())
        .put("maximumOverCapacity", strategy.maximumOverCapacity());
  }
}
