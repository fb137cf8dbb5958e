package mdo.subscriber.callbacks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 body signatures ({@code X-Mdo-Signature: sha256=<hex>}) and constant-time secret comparison. */
public final class Signatures {
  public static final String HEADER = "X-Mdo-Signature";
  private static final SecureRandom RANDOM = new SecureRandom();

  private Signatures() {}

  /** The header value for {@code body}: {@code sha256=} and the lowercase hex HMAC-SHA256 keyed with {@code secret}. */
  public static String sign(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** What a receiver does: recompute and compare in constant time. */
  public static boolean verify(String secret, byte[] body, String header) {
    return header != null && constantTimeEquals(sign(secret, body), header);
  }

  public static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code bytes} random bytes as hex. */
  public static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
