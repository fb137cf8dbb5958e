package mdo.devcluster.api;

import io.javalin.http.Context;
import io.javalin.security.BasicAuthCredentials;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * HTTP basic auth on every path, as Marathon's {@code --http_credentials} does with Jetty's BasicAuthenticator:
 * failures get Jetty's 401 page with {@code WWW-Authenticate: basic realm="Mesosphere"}, not Marathon JSON.
 */
public final class BasicAuth {
  static final String REALM = "Mesosphere";
  private final byte[] expectedUser;
  private final byte[] expectedPassword;

  public BasicAuth(String userColonPassword) {
    int colon = userColonPassword.indexOf(':');
    this.expectedUser = userColonPassword.substring(0, colon).getBytes(StandardCharsets.UTF_8);
    this.expectedPassword = userColonPassword.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
  }

  /** Lets the request through, or answers 401 and skips every further handler. */
  public void check(Context ctx) {
    BasicAuthCredentials given = null;
    try {
      given = ctx.basicAuthCredentials();
    } catch (RuntimeException e) {
      // a malformed Authorization header is just a failed login
    }
    // Both comparisons always run, in constant time, so timing does not tell which part was wrong.
    boolean userOk = given != null
        && MessageDigest.isEqual(expectedUser, given.getUsername().getBytes(StandardCharsets.UTF_8));
    boolean passwordOk = given != null
        && MessageDigest.isEqual(expectedPassword, given.getPassword().getBytes(StandardCharsets.UTF_8));
    if (userOk && passwordOk) return;
    ctx.header("WWW-Authenticate", "basic realm=\"" + REALM + "\"");
    JettyErrorPage.send(ctx, 401, "Unauthorized");
    ctx.skipRemainingHandlers();
  }
}
