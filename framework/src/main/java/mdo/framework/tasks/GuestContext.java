package mdo.framework.tasks;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdo.config.MdoConfig;

/**
 * What every task is told so it can find etcd, its environment and the subscriber: the same variables the Marathon
 * launcher puts in an app's {@code env}, so guestutils works the same under either backend.
 */
public record GuestContext(String environment, String etcdEndpoints, String etcdHostAddress, String subscriberUrl) {

  public static GuestContext of(MdoConfig config) {
    List<URI> endpoints = config.etcd().endpoints();
    URI first = endpoints.get(0);
    return new GuestContext(config.environment(), config.etcd().endpointList(),
        first.getHost() + ":" + (first.getPort() > 0 ? first.getPort() : 2379), config.subscriber().url().toString());
  }

  Map<String, String> variables(String service) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("ETCD_ENDPOINTS", etcdEndpoints);
    env.put("ETCD_HOST_ADDRESS", etcdHostAddress);
    env.put("MDO_ENVIRONMENT", environment);
    env.put("SERVICE_NAME", service);
    env.put("SUBSCRIBER_URL", subscriberUrl);
    return env;
  }
}
