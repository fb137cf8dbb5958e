package mdo.guestutils;

/** maestro's {@code host[:port[:port]]} strings, with IPv6 literals bracketed so the ports stay parseable. */
public final class NodeFormat {
  private NodeFormat() {}

  public static String host(String host) {
    if (host.indexOf(':') >= 0 && !host.startsWith("[")) return "[" + host + "]";
    return host;
  }

  /** {@code host} alone when there are no ports; a bare IPv6 host stays unbracketed, as nothing follows it. */
  public static String node(String host, int... ports) {
    if (ports.length == 0) return host;
    StringBuilder sb = new StringBuilder(host(host));
    for (int p : ports) sb.append(':').append(p);
    return sb.toString();
  }
}
