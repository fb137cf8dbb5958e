package mdo.subscriber;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Bearer-token checks for state-changing endpoints. The comparison takes the same time wherever the tokens differ.
 * Without a configured token only loopback callers are let through (see {@code SubscriberSettings.token}).
 * {@code authorization} is the request's {@code Authorization} header ({@code Bearer <token>}).
 */
public final class Tokens {
  private Tokens() {}

  /** For every state-changing route, including those of route contributors (e.g. callback registrations). */
  public static boolean authorized(String configured, String authorization, String remoteAddress) {
    if (configured == null || configured.isEmpty()) return isLoopback(remoteAddress);
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
    byte[] given = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, configured.getBytes(StandardCharsets.UTF_8));
  }

  private static boolean isLoopback(String address) {
    try {
      return address != null && InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
