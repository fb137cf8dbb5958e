package mdo.subscriber.access;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import mdo.access.RegistrationTokens;

/**
 * Tells {@link Caller}s apart by the {@code Authorization: Bearer <token>} header: the admin token (compared in
 * constant time), or a service's registration token ({@link RegistrationTokens}, recomputed from the registration
 * secret). Without an admin token configured, callers on loopback are the admin: a single-machine setup, where the
 * browser protections of {@code CrossSiteGuard} keep web pages out.
 */
public final class Callers {
  private final String adminToken;
  private final String registrationSecret;
  private final String environment;

  /**
   * @param adminToken {@code subscriber.token}; null or blank: loopback callers are the admin
   * @param registrationSecret {@code subscriber.registration-secret}; null: no service tokens
   */
  public Callers(String adminToken, String registrationSecret, String environment) {
    this.adminToken = adminToken == null || adminToken.isBlank() ? null : adminToken;
    this.registrationSecret = registrationSecret == null || registrationSecret.isBlank() ? null : registrationSecret;
    this.environment = environment;
  }

  /** Whether an admin token is configured (else loopback callers are the admin). */
  public boolean adminTokenConfigured() {
    return adminToken != null;
  }

  /** The caller the request proves, or empty (then it gets 401). */
  public Optional<Caller> of(String authorization, String remoteAddress) {
    String bearer = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        ? authorization.substring(7).trim() : null;
    if (bearer == null || bearer.isEmpty()) {
      return adminToken == null && isLoopback(remoteAddress) ? Optional.of(Caller.ADMIN) : Optional.empty();
    }
    if (adminToken != null && MessageDigest.isEqual(bearer.getBytes(StandardCharsets.UTF_8),
        adminToken.getBytes(StandardCharsets.UTF_8))) {
      return Optional.of(Caller.ADMIN);
    }
    return RegistrationTokens.service(registrationSecret, environment, bearer).map(Caller::new);
  }

  /** Whether the request comes from the admin. */
  public boolean admin(String authorization, String remoteAddress) {
    return of(authorization, remoteAddress).map(Caller::admin).orElse(false);
  }

  private static boolean isLoopback(String address) {
    try {
      return address != null && InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
