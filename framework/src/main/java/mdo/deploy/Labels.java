package mdo.deploy;

/**
 * The Marathon app labels that mark an app as mdo's. The subscriber only registers, and only ever deletes records of,
 * apps that carry both, for its own environment. App ids are {@code /<environment>/<service>}.
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
