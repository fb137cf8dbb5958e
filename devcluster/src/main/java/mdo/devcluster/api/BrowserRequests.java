package mdo.devcluster.api;

import io.javalin.http.Context;
import java.util.Collection;
import mdo.command.CrossSiteGuard;
import mdo.devcluster.Json;

/**
 * The dev cluster runs {@code /bin/sh -c} for whoever may {@code POST /v2/apps}, and it trusts loopback, so a web page
 * on the developer's machine must not be able to drive it: {@link CrossSiteGuard} refuses foreign {@code Host} and
 * {@code Origin} headers, and non-JSON writes get Marathon's own 415 (its resources {@code @Consumes} JSON).
 */
final class BrowserRequests {
  private final CrossSiteGuard guard;

  BrowserRequests(Collection<String> names) {
    this.guard = new CrossSiteGuard(names);
  }

  /** Answers and stops the request if it is refused; {@code true} then. */
  boolean refuse(Context ctx) {
    boolean hasBody = ctx.req().getContentLengthLong() > 0 || ctx.header("Transfer-Encoding") != null;
    CrossSiteGuard.Refusal refusal = guard.check(ctx.method().name(), ctx.header("Host"), ctx.header("Origin"),
        ctx.header("Content-Type"), hasBody);
    if (refusal == null) return false;
    // Marathon's MarathonExceptionMapper answers a WebApplicationException with its status's reason phrase.
    String message = refusal.status() == 415 ? "Unsupported Media Type" : refusal.message();
    Http.json(ctx, refusal.status(), Json.object().put("message", message));
    ctx.skipRemainingHandlers();
    return true;
  }
}
