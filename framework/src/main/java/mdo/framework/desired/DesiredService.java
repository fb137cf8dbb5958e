package mdo.framework.desired;

import java.util.List;
import java.util.Objects;
import mdo.cluster.ServiceDefinition;

/**
 * What launcher and updater ask the framework to run for one service, at {@link FrameworkKeys#service}.
 *
 * @param definition the service as config.yaml describes it, instances and image included
 * @param version when this desired state was written (Marathon's version form, {@code 2026-01-02T03:04:05.678Z});
 *     every change gets a new one, and the framework reports its progress against it
 * @param configVersion the version of the last change to anything but the instance count (Marathon's
 *     {@code lastConfigChangeAt}): tasks launched under another one are replaced, rolling; a restart changes only this
 * @param deploymentId names the change in launcher/updater output, as Marathon's deployment ids do
 * @param servicePorts Marathon's service ports, one per port of the definition: the declared number of a
 *     host-network port, else one assigned from 10000-20000 ({@link ServicePorts}); tasks see them as the
 *     {@code PORT_<number>} keys Marathon gives them
 */
public record DesiredService(ServiceDefinition definition, String version, String configVersion, String deploymentId,
    List<Integer> servicePorts) {
  public DesiredService {
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(configVersion, "configVersion");
    Objects.requireNonNull(deploymentId, "deploymentId");
    servicePorts = List.copyOf(servicePorts);
    if (servicePorts.size() != definition.ports().size()) {
      throw new IllegalArgumentException(definition.id() + " has " + definition.ports().size() + " ports but "
          + servicePorts.size() + " service ports");
    }
  }

  public String service() {
    return definition.service();
  }

  public int instances() {
    return definition.instances();
  }
}
