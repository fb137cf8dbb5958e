package mdo.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One named port of an instance: {@code host} is the port reachable from other hosts (what node lists show),
 * {@code container} the port the process binds inside its container (what {@code guestutils port} returns).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PortMapping(int host, int container, String protocol) {
  public PortMapping {
    if (host < 0 || host > 65535) throw new IllegalArgumentException("host port out of range: " + host);
    if (container < 0 || container > 65535) throw new IllegalArgumentException("container port out of range: " + container);
    if (protocol == null || protocol.isBlank()) protocol = "tcp";
  }
}
