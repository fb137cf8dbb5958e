package mdo.access;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import mdo.registry.RegistryKeys;

/**
 * Per-service registration tokens: what proves to the subscriber which service a container belongs to.
 *
 * <p>A token is {@code <service>.<hex HMAC-SHA256(secret, "mdo-registration\n" + environment + "\n" + service)>}, keyed
 * with {@code subscriber.registration-secret}, which only the launcher and the subscriber hold. The launcher gives every
 * task of a service its token ({@code MDO_REGISTRATION_TOKEN}); the subscriber recomputes it, so it stores nothing. A
 * container cannot make the token of another service without the secret.
 *
 * <p>Limits (docs/security.md): the token proves the service, not the task, so the tasks of one service can act for
 * each other; it is as secret as the app definitions in Marathon (anyone who can read {@code /v2/apps} can read it);
 * it never expires: rotating the secret changes every token, and the next launch of each service rolls its tasks.
 */
public final class RegistrationTokens {
  /** The environment variable tasks get their token in. */
  public static final String VARIABLE = "MDO_REGISTRATION_TOKEN";

  private RegistrationTokens() {}

  public static String of(String secret, String environment, String service) {
    RegistryKeys.environment(environment);
    RegistryKeys.instances(environment, service); // a valid service name: no '\n' to blur the message
    return service + "." + mac(secret, environment, service);
  }

  /** The service {@code token} was made for, if it is a valid token of this secret and environment. */
  public static Optional<String> service(String secret, String environment, String token) {
    if (secret == null || token == null) return Optional.empty();
    int dot = token.lastIndexOf('.');
    if (dot <= 0) return Optional.empty();
    String service = token.substring(0, dot);
    try {
      RegistryKeys.instances(environment, service);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    byte[] expected = mac(secret, environment, service).getBytes(StandardCharsets.US_ASCII);
    byte[] given = token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, given) ? Optional.of(service) : Optional.empty();
  }

  private static String mac(String secret, String environment, String service) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] message = ("mdo-registration\n" + environment + "\n" + service).getBytes(StandardCharsets.UTF_8);
      return HexFormat.of().formatHex(mac.doFinal(message));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
