package mdo.subscriber.callbacks;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.SocketFactory;
import okhttp3.Dns;

/**
 * Decides which URLs and addresses the subscriber may POST to. A callback URL is chosen by a container, so without
 * checks it is a server-side request forgery tool: it could read a cloud metadata service (169.254.169.254,
 * metadata.google.internal), poke services on the subscriber's own host (etcd), or send blind POSTs to any internal
 * host and port (Marathon's unauthenticated {@code POST /v2/apps/<id>/restart}).
 *
 * <ul>
 *   <li>Never: metadata services, link-local, unspecified, multicast and broadcast addresses.
 *   <li>Loopback, private (RFC 1918), shared/CGNAT (100.64.0.0/10) and unique-local (fc00::/7) addresses only inside a
 *       CIDR block of {@code callback-allow} (loopback also with {@code allowLoopback}). A host name entry alone does
 *       not open them: names resolve differently over time, blocks do not.
 *   <li>With a non-empty {@code callback-allow}, a URL's host must match an entry.
 * </ul>
 *
 * Checked at registration, on every load from etcd ({@link #problemWithoutResolving}), at every name resolution
 * ({@link #dns()}: DNS rebinding) and at every connection ({@link #socketFactory()}: the address actually connected,
 * IP literals included, which OkHttp never resolves).
 */
public final class CallbackUrlValidator {
  /** Names of instance metadata services. Their addresses are link-local and refused anyway; names fail early. */
  static final Set<String> METADATA_HOSTS = Set.of("metadata.google.internal", "metadata.goog", "metadata",
      "instance-data", "instance-data.ec2.internal", "metadata.azure.internal", "metadata.tencentyun.com",
      "metadata.platformequinix.com", "metadata.oraclecloud.com");
  /** Metadata addresses outside the link-local ranges: AWS IPv6, Alibaba Cloud. */
  static final Set<String> METADATA_ADDRESSES = Set.of("fd00:ec2:0:0:0:0:0:254", "100.100.100.200");

  private static final Networks PRIVATE = new Networks(List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
      "100.64.0.0/10", "fc00::/7", "fec0::/10"));
  private static final Networks NEVER = new Networks(List.of("0.0.0.0/8", "255.255.255.255/32", "192.0.0.0/24"));

  private final CallbackSettings settings;
  private final Networks allowed;

  public CallbackUrlValidator(CallbackSettings settings) {
    this.settings = settings;
    this.allowed = new Networks(settings.allowlist());
  }

  /** The URL, checked with its host resolved now; or an {@link IllegalArgumentException} saying why it is refused. */
  public URI validate(String url) {
    URI uri = parse(url);
    addresses(uri.getHost());
    return uri;
  }

  /**
   * Why a stored URL may not be used, checked without resolving its host (a name that does not resolve at this moment
   * is no reason to drop a registration; each connection checks the address anyway); {@code null} if it may.
   */
  public String problemWithoutResolving(String url) {
    try {
      URI uri = parse(url);
      String host = bare(uri.getHost());
      if (METADATA_HOSTS.contains(host)) return "callback host " + host + " is a metadata service";
      if (isLiteral(host)) {
        InetAddress address = InetAddress.getByName(host);
        String problem = problem(address);
        if (problem != null) return "callback host " + host + " is " + problem;
        if (!allowed.isEmpty() && !allowed.blockContains(address)) return "callback host " + host + " is not in callback-allow";
      } else if (!allowed.isEmpty() && !allowed.namesHost(host)) {
        return "callback host " + host + " is not in callback-allow";
      }
      return null;
    } catch (IllegalArgumentException | UnknownHostException e) {
      return e.getMessage();
    }
  }

  private static URI parse(String url) {
    if (url == null || url.isBlank()) throw new IllegalArgumentException("callback URL is missing");
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("callback URL is malformed: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("callback URL must be http or https, not '" + scheme + "'");
    }
    if (uri.getRawUserInfo() != null) throw new IllegalArgumentException("callback URL must not carry credentials");
    if (uri.getHost() == null || uri.getHost().isEmpty()) throw new IllegalArgumentException("callback URL has no host");
    return uri;
  }

  /** Resolves {@code host} and returns its addresses if every one of them is allowed; else throws. */
  public List<InetAddress> addresses(String host) {
    String name = bare(host);
    if (METADATA_HOSTS.contains(name)) throw new IllegalArgumentException("callback host " + host + " is a metadata service");
    InetAddress[] resolved;
    try {
      resolved = InetAddress.getAllByName(name);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("callback host " + host + " does not resolve");
    }
    boolean hostAllowlisted = !isLiteral(name) && allowed.namesHost(name);
    for (InetAddress address : resolved) {
      String problem = problem(address);
      if (problem != null) {
        throw new IllegalArgumentException("callback host " + host + " resolves to " + address.getHostAddress() + ", " + problem);
      }
      if (!allowed.isEmpty() && !hostAllowlisted && !allowed.blockContains(address)) {
        throw new IllegalArgumentException("callback host " + host + " (" + address.getHostAddress() + ") is not in the allowlist");
      }
    }
    return List.of(resolved);
  }

  /** Why {@code a} may not be connected to, or {@code null}. */
  String problem(InetAddress a) {
    InetAddress embedded = embeddedIpv4(a);
    if (embedded != null) return problem(embedded);
    if (METADATA_ADDRESSES.contains(a.getHostAddress()) || a.getHostAddress().equals("169.254.169.254")) {
      return "a metadata service address";
    }
    if (a.isLinkLocalAddress()) return "a link-local address";
    if (a.isAnyLocalAddress() || NEVER.blockContains(a)) return "an unspecified or reserved address";
    if (a.isMulticastAddress()) return "a multicast address";
    if (a.isLoopbackAddress() && !settings.allowLoopback() && !allowed.blockContains(a)) {
      return "a loopback address (not allowed here)";
    }
    if (PRIVATE.blockContains(a) && !allowed.blockContains(a)) {
      return "a private address; list its network (a CIDR) in subscriber.callback-allow to reach it";
    }
    return null;
  }

  /** The IPv4 address inside an IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address. */
  private static InetAddress embeddedIpv4(InetAddress a) {
    if (!(a instanceof Inet6Address)) return null;
    byte[] b = a.getAddress();
    try {
      boolean zeros = Arrays.equals(Arrays.copyOfRange(b, 0, 12), new byte[12]);
      if (zeros && !a.isLoopbackAddress() && !a.isAnyLocalAddress()) return Inet4Address.getByAddress(Arrays.copyOfRange(b, 12, 16));
      byte[] nat64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
      if (Arrays.equals(Arrays.copyOfRange(b, 0, 12), nat64)) return Inet4Address.getByAddress(Arrays.copyOfRange(b, 12, 16));
      if (b[0] == 0x20 && b[1] == 0x02) return Inet4Address.getByAddress(Arrays.copyOfRange(b, 2, 6));
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // four bytes always make an address
    }
    return null;
  }

  private static String bare(String host) {
    String name = host.toLowerCase(Locale.ROOT);
    if (name.startsWith("[") && name.endsWith("]")) name = name.substring(1, name.length() - 1);
    if (name.endsWith(".")) name = name.substring(0, name.length() - 1);
    return name;
  }

  private static boolean isLiteral(String host) {
    return host.contains(":") || host.matches("[0-9.]+");
  }

  /** OkHttp name resolution that applies the same rules at connect time. */
  public Dns dns() {
    return hostname -> {
      try {
        return addresses(hostname);
      } catch (IllegalArgumentException e) {
        UnknownHostException refused = new UnknownHostException("refused: " + e.getMessage());
        refused.initCause(e);
        throw refused;
      }
    };
  }

  /** Sockets that refuse to connect to an address {@link #problem} names, whatever name or literal led there. */
  public SocketFactory socketFactory() {
    return new SocketFactory() {
      @Override
      public Socket createSocket() {
        return new Socket() {
          @Override
          public void connect(SocketAddress endpoint, int timeout) throws IOException {
            if (endpoint instanceof InetSocketAddress target && target.getAddress() != null) {
              String problem = problem(target.getAddress());
              if (problem != null) {
                throw new RefusedAddressException("refused: connecting to " + target.getAddress().getHostAddress()
                    + ":" + target.getPort() + ", " + problem);
              }
            }
            super.connect(endpoint, timeout);
          }
        };
      }

      @Override
      public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
      }

      @Override
      public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port));
      }

      @Override
      public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
      }

      @Override
      public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
          throws IOException {
        return connected(new InetSocketAddress(address, port));
      }

      private Socket connected(InetSocketAddress target) throws IOException {
        Socket socket = createSocket();
        socket.connect(target, 0);
        return socket;
      }
    };
  }

  /** A connection refused before it was opened: the target address is one callbacks may not reach. */
  static final class RefusedAddressException extends IOException {
    RefusedAddressException(String message) {
      super(message);
    }
  }
}
