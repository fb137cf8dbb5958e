package mdo.command;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Refuses what only a browser tricked by another web site sends to a local HTTP server (the dev cluster, a subscriber
 * that trusts loopback): a {@code Host} this server is not known by (DNS rebinding: a page's own name made to resolve
 * to 127.0.0.1, so the browser even lets it read answers), an {@code Origin} other than the server's own (a page
 * posting across sites), and writes that are not JSON ({@code text/plain} and form posts are the requests a browser
 * sends cross-site without asking first). Programs (curl, mdo's clients, Marathon) send none of these.
 *
 * <p>Framework-free so both Javalin servers wrap it in their own before-handler and error body.
 */
public final class CrossSiteGuard {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");

  private final Set<String> names = new TreeSet<>();

  /** Why a request was refused: the HTTP status to answer and a message for the caller. */
  public record Refusal(int status, String message) {}

  /**
   * @param names host names the server is reached by (bind address, advertised URL's host); IP literals, localhost
   *     and this machine's own name are always accepted
   */
  public CrossSiteGuard(Collection<String> names) {
    this.names.add("localhost");
    for (String n : names) if (n != null && !n.isBlank()) this.names.add(normalize(n));
    try {
      InetAddress self = InetAddress.getLocalHost();
      this.names.add(normalize(self.getHostName()));
      this.names.add(normalize(self.getCanonicalHostName()));
    } catch (UnknownHostException e) {
      // no name of its own: IP literals and the configured names still work
    }
  }

  /**
   * @param host the {@code Host} header (null for HTTP/1.0)
   * @param origin the {@code Origin} header, if any
   * @param contentType the {@code Content-Type} header, if any
   * @param hasBody whether the request carries a body
   * @return why the request is refused, or {@code null}
   */
  public Refusal check(String method, String host, String origin, String contentType, boolean hasBody) {
    if (host != null && !knownHost(hostPart(host))) {
      return new Refusal(403, "Host '" + UntrustedText.escape(host) + "' is not a name this server is known by (a"
          + " browser page may be using DNS rebinding); use its address, localhost, or a name it is configured with");
    }
    if (origin != null && !sameOrigin(origin, host)) {
      return new Refusal(403, "cross-origin request from '" + UntrustedText.escape(origin) + "' refused: this API is"
          + " not for web pages of other sites");
    }
    if (WRITES.contains(method.toUpperCase(Locale.ROOT)) && (contentType != null || hasBody) && !json(contentType)) {
      return new Refusal(415, "a request that changes state must be sent as Content-Type: application/json, not "
          + (contentType == null ? "without a Content-Type" : "'" + UntrustedText.escape(contentType) + "'"));
    }
    return null;
  }

  private boolean knownHost(String host) {
    String h = normalize(host);
    return names.contains(h) || isIpLiteral(h);
  }

  /** {@code Origin: scheme://host[:port]} names this server exactly as the {@code Host} header does. */
  private boolean sameOrigin(String origin, String host) {
    int scheme = origin.indexOf("://");
    if (scheme < 0 || host == null) return false;
    String authority = origin.substring(scheme + 3);
    String defaultPort = origin.regionMatches(true, 0, "https", 0, 5) ? ":443" : ":80";
    return withPort(authority, defaultPort).equalsIgnoreCase(withPort(host, defaultPort))
        && knownHost(hostPart(authority));
  }

  private static String withPort(String authority, String defaultPort) {
    boolean hasPort = authority.startsWith("[") ? authority.contains("]:") : authority.contains(":");
    return hasPort ? authority : authority + defaultPort;
  }

  private static String hostPart(String authority) {
    if (authority.startsWith("[")) {
      int end = authority.indexOf(']');
      return end < 0 ? authority : authority.substring(0, end + 1);
    }
    int colon = authority.indexOf(':');
    return colon < 0 ? authority : authority.substring(0, colon);
  }

  private static boolean isIpLiteral(String host) {
    return IPV4.matcher(host).matches() || host.startsWith("[") && host.endsWith("]") && host.contains(":");
  }

  private static boolean json(String contentType) {
    if (contentType == null) return false;
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return type.equals("application/json") || type.startsWith("application/") && type.endsWith("+json");
  }

  private static String normalize(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }
}
