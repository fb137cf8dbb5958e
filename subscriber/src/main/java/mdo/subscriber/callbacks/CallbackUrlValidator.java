package mdo.subscriber.callbacks;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import okhttp3.Dns;

/**
 * Decides which URLs the subscriber may POST to. A callback URL is chosen by whoever can reach the subscriber, so
 * without checks it is a server-side request forgery tool: it could read a cloud metadata service (169.254.169.254,
 * metadata.google.internal) or poke services on the subscriber's own host. Checked at registration and again at every
 * connection ({@link #dns()}), so a name that later resolves somewhere else (DNS rebinding) is still refused.
 */
public final class CallbackUrlValidator {
  /** Names of instance metadata services. Their addresses are link-local and refused anyway; names fail early. */
  static final Set<String> METADATA_HOSTS = Set.of("metadata.google.internal", "metadata.goog", "metadata",
      "instance-data", "instance-data.ec2.internal", "metadata.azure.internal", "metadata.tencentyun.com",
      "metadata.platformequinix.com", "metadata.oraclecloud.com");
  /** Metadata addresses outside the link-local ranges: AWS IPv6, Alibaba Cloud. */
  static final Set<String> METADATA_ADDRESSES = Set.of("fd00:ec2:0:0:0:0:0:254", "100.100.100.200");

  private final CallbackSettings settings;
  private final List<Cidr> allowedNetworks = new ArrayList<>();
  private final List<String> allowedHosts = new ArrayList<>();

  public CallbackUrlValidator(CallbackSettings settings) {
    this.settings = settings;
    for (String entry : settings.allowlist()) {
      if (entry.contains("/")) allowedNetworks.add(Cidr.parse(entry));
      else allowedHosts.add(entry.toLowerCase(Locale.ROOT));
    }
  }

  /** The URL, checked; or an {@link IllegalArgumentException} saying why it is refused. */
  public URI validate(String url) {
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
    addresses(uri.getHost());
    return uri;
  }

  /** Resolves {@code host} and returns its addresses if every one of them is allowed; else throws. */
  public List<InetAddress> addresses(String host) {
    String name = host.toLowerCase(Locale.ROOT);
    if (name.startsWith("[") && name.endsWith("]")) name = name.substring(1, name.length() - 1);
    if (name.endsWith(".")) name = name.substring(0, name.length() - 1);
    if (METADATA_HOSTS.contains(name)) throw new IllegalArgumentException("callback host " + host + " is a metadata service");
    InetAddress[] resolved;
    try {
      resolved = InetAddress.getAllByName(name);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("callback host " + host + " does not resolve");
    }
    boolean hostAllowlisted = hostAllowed(name);
    for (InetAddress address : resolved) {
      String problem = problem(address);
      if (problem != null) {
        throw new IllegalArgumentException("callback host " + host + " resolves to " + address.getHostAddress() + ", " + problem);
      }
      if (!settings.allowlist().isEmpty() && !hostAllowlisted && !networkAllowed(address)) {
        throw new IllegalArgumentException("callback host " + host + " (" + address.getHostAddress() + ") is not in the allowlist");
      }
    }
    return List.of(resolved);
  }

  /** Why {@code a} may never be a callback target, or {@code null}. */
  String problem(InetAddress a) {
    if (METADATA_ADDRESSES.contains(a.getHostAddress()) || a.getHostAddress().equals("169.254.169.254")) {
      return "a metadata service address";
    }
    if (a.isLinkLocalAddress()) return "a link-local address";
    if (a.isAnyLocalAddress()) return "the unspecified address";
    if (a.isMulticastAddress()) return "a multicast address";
    if (a.isLoopbackAddress() && !settings.allowLoopback()) return "a loopback address (not allowed here)";
    return null;
  }

  private boolean hostAllowed(String name) {
    for (String allowed : allowedHosts) {
      if (allowed.startsWith("*.") ? name.endsWith(allowed.substring(1)) : name.equals(allowed)) return true;
    }
    return false;
  }

  private boolean networkAllowed(InetAddress a) {
    for (Cidr cidr : allowedNetworks) if (cidr.contains(a)) return true;
    return false;
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

  /** An address block: {@code 10.0.0.0/8}, {@code fd00::/8}. */
  record Cidr(BigInteger network, int bits, int length) {
    static Cidr parse(String text) {
      int slash = text.indexOf('/');
      try {
        byte[] address = InetAddress.getByName(text.substring(0, slash).trim()).getAddress();
        int length = Integer.parseInt(text.substring(slash + 1).trim());
        if (length < 0 || length > address.length * 8) throw new IllegalArgumentException("bad prefix length");
        return new Cidr(mask(new BigInteger(1, address), address.length * 8, length), address.length * 8, length);
      } catch (UnknownHostException | RuntimeException e) {
        throw new IllegalArgumentException("allowlist entry '" + text + "' is not a CIDR block", e);
      }
    }

    boolean contains(InetAddress a) {
      byte[] bytes = a.getAddress();
      if (bytes.length * 8 != bits) return false;
      return mask(new BigInteger(1, bytes), bits, length).equals(network);
    }

    private static BigInteger mask(BigInteger value, int bits, int length) {
      return value.shiftRight(bits - length);
    }
  }
}
