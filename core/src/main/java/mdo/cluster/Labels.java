package mdo.cluster;

/**
 * The labels that mark a deployment as mdo's, whatever the backend (Marathon app labels, Mesos task labels). The
 * registry writer only registers, and only ever deletes records of, deployments that carry both, for its own
 * environment. A service's deployment id is {@code /<environment>/<service>}.
 */
public final class Labels {
  public static final String SERVICE = "MDO_SERVICE";
  public static final String ENVIRONMENT = "MDO_ENVIRONMENT";

  private Labels() {}

  /** Marathon's {@code label} query selector for one environment's apps. */
  public static String selector(String environment) {
    return ENVIRONMENT + "==" + environment;
  }

  public static String appId(String environment, String service) {
    return "/" + environment + "/" + service;
  }
}
