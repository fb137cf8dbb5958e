package mdo.marathon;

import mdo.cluster.Labels;
import mdo.registry.RegistryKeys;

/** Which Marathon apps are mdo's for one environment, and under which service name. */
final class MdoApps {
  private MdoApps() {}

  /** The service name when the app is labelled for {@code environment} with a usable service name, else null. */
  static String service(MarathonApp app, String environment) {
    if (app == null) return null;
    String service = app.labels().get(Labels.SERVICE);
    if (service == null || !environment.equals(app.labels().get(Labels.ENVIRONMENT))) return null;
    try {
      RegistryKeys.instances(environment, service);
      return service;
    } catch (IllegalArgumentException e) {
      return null; // a service name that cannot be a key segment is not registrable
    }
  }
}
