package mdo.subscriber.callbacks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Random identifiers and secrets, and constant-time comparison. The notification signature itself is
 * {@link mdo.guestutils.CallbackSignature}, shared with the receivers' side.
 */
final class Signatures {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Signatures() {}

  static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code bytes} random bytes as hex. */
  static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
