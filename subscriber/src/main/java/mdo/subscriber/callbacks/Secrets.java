package mdo.subscriber.callbacks;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Random identifiers and secrets. The notification signature is {@link mdo.guestutils.CallbackSignature}, shared with
 * the receivers' side; tokens are compared in {@code mdo.subscriber.access.Callers}.
 */
public final class Secrets {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Secrets() {}

  /** {@code bytes} random bytes as hex. */
  public static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
