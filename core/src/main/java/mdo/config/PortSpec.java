package mdo.config;

/**
 * A named port of a service.
 *
 * @param containerPort the port inside the container; for host networking (no container side) the port the
 *     service is told to use is Marathon's {@code PORT_<NAME>}, and this value only matters for {@code ports-hard}
 * @param hard from {@code ports-hard}: the host port equals the container port, one instance per host
 * @param protocol {@code tcp} or {@code udp}
 */
public record PortSpec(String name, int containerPort, boolean hard, String protocol) {}
