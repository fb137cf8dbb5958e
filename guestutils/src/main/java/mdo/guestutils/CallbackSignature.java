package mdo.guestutils;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature on every callback notification, as Stripe and GitHub sign webhooks:
 * {@code X-Mdo-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>}. The timestamp is signed with
 * the body, so a captured notification cannot be replayed later than {@link #TOLERANCE} (a receiver still compares
 * {@code revision} in the body to drop repeats inside that window: delivery is at least once). Several {@code v1}
 * values may be present; one matching is enough.
 */
public final class CallbackSignature {
  public static final String HEADER = "X-Mdo-Signature";
  /** How far a notification's {@code t} may be from the receiver's clock, either way. */
  public static final Duration TOLERANCE = Duration.ofMinutes(5);

  /** What {@link #verify} found. */
  public enum Result {
    VALID("valid"),
    MISSING("no " + HEADER + " header"),
    MALFORMED(HEADER + " is not t=<seconds>,v1=<hex>"),
    EXPIRED("the signed timestamp is outside the tolerance (" + TOLERANCE.toMinutes() + " minutes): a replay, or a"
        + " clock off by that much"),
    MISMATCH("the signature does not match the body (wrong secret, or the body was changed)");

    private final String description;

    Result(String description) {
      this.description = description;
    }

    public String description() {
      return description;
    }
  }

  private CallbackSignature() {}

  /** The header value for {@code body} sent at {@code at}. */
  public static String sign(String secret, Instant at, byte[] body) {
    long t = at.getEpochSecond();
    return "t=" + t + ",v1=" + hex(secret, t, body);
  }

  /** Checks {@code header} against {@code body} at {@code now}, with the default {@link #TOLERANCE}. */
  public static Result verify(String secret, String header, byte[] body, Instant now) {
    return verify(secret, header, body, now, TOLERANCE);
  }

  public static Result verify(String secret, String header, byte[] body, Instant now, Duration tolerance) {
    if (header == null || header.isBlank()) return Result.MISSING;
    Long t = null;
    List<String> signatures = new ArrayList<>();
    for (String part : header.split(",")) {
      int eq = part.indexOf('=');
      if (eq < 0) return Result.MALFORMED;
      String key = part.substring(0, eq).trim();
      String value = part.substring(eq + 1).trim();
      if (key.equals("v1")) {
        signatures.add(value);
      } else if (key.equals("t")) {
        try {
          t = Long.parseLong(value);
        } catch (NumberFormatException e) {
          return Result.MALFORMED;
        }
      }
    }
    if (t == null || signatures.isEmpty()) return Result.MALFORMED;
    String expected = hex(secret, t, body);
    boolean matched = false;
    for (String given : signatures) matched |= constantTimeEquals(expected, given);
    if (!matched) return Result.MISMATCH;
    if (Math.abs(now.getEpochSecond() - t) > tolerance.toSeconds()) return Result.EXPIRED;
    return Result.VALID;
  }

  private static String hex(String secret, long t, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }
}
