package mdo.devcluster.api;

import io.javalin.http.Context;

/**
 * The HTML page Jetty's {@code ErrorHandler} writes for {@code response.sendError(status, reason)}: what Marathon
 * answers where Jetty, not Marathon's JSON mapper, has the last word (basic auth, the leader proxy).
 */
public final class JettyErrorPage {
  private JettyErrorPage() {}

  public static void send(Context ctx, int status, String reason) {
    String body = "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=ISO-8859-1\"/>\n"
        + "<title>Error " + status + " " + reason + "</title>\n</head>\n<body><h2>HTTP ERROR " + status + "</h2>\n"
        + "<p>Problem accessing " + escape(ctx.path()) + ". Reason:\n<pre>    " + escape(reason) + "</pre></p>\n"
        + "</body>\n</html>\n";
    ctx.status(status).contentType("text/html;charset=iso-8859-1").result(body);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
