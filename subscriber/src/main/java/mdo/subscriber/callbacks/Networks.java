package mdo.subscriber.callbacks;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A list of networks and host names, as {@code callback-allow} and {@code callback-sources} are written: CIDR blocks
 * ({@code 10.0.0.0/8}, {@code fd00::/8}), host names ({@code recv.internal}) and domain wildcards
 * ({@code *.svc.internal}). A bad CIDR is refused when the list is made.
 */
public final class Networks {
  private final List<Cidr> blocks = new ArrayList<>();
  private final List<String> names = new ArrayList<>();

  public Networks(List<String> entries) {
    for (String entry : entries) {
      if (entry.contains("/")) blocks.add(Cidr.parse(entry));
      else names.add(entry.toLowerCase(Locale.ROOT));
    }
  }

  public boolean isEmpty() {
    return blocks.isEmpty() && names.isEmpty();
  }

  /** Whether a CIDR block of the list holds {@code address} (host names do not count). */
  public boolean blockContains(InetAddress address) {
    for (Cidr cidr : blocks) if (cidr.contains(address)) return true;
    return false;
  }

  /** Whether {@code name} is one of the host names or under a wildcard domain of the list. */
  public boolean namesHost(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (String allowed : names) {
      if (allowed.startsWith("*.") ? n.endsWith(allowed.substring(1)) : n.equals(allowed)) return true;
    }
    return false;
  }

  /**
   * Whether a peer at {@code address} is on the list: in a block, or one of the addresses a listed host name resolves
   * to now (wildcards cannot be resolved and never match an address).
   */
  public boolean containsPeer(InetAddress address) {
    if (blockContains(address)) return true;
    for (String name : names) {
      if (name.startsWith("*.")) continue;
      try {
        for (InetAddress a : InetAddress.getAllByName(name)) if (a.equals(address)) return true;
      } catch (UnknownHostException e) {
        // a name that does not resolve holds no address
      }
    }
    return false;
  }

  /** An address block: {@code 10.0.0.0/8}, {@code fd00::/8}. */
  record Cidr(BigInteger network, int bits, int length) {
    static Cidr parse(String text) {
      int slash = text.indexOf('/');
      try {
        String address = text.substring(0, slash).trim();
        if (!address.matches("[0-9a-fA-F:.]+")) throw new IllegalArgumentException("not an IP address");
        byte[] bytes = InetAddress.getByName(address).getAddress();
        int length = Integer.parseInt(text.substring(slash + 1).trim());
        if (length < 0 || length > bytes.length * 8) throw new IllegalArgumentException("bad prefix length");
        return new Cidr(mask(new BigInteger(1, bytes), bytes.length * 8, length), bytes.length * 8, length);
      } catch (UnknownHostException | RuntimeException e) {
        throw new IllegalArgumentException("'" + text + "' is not a CIDR block", e);
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
