package mdo.cli;

import mdo.marathon.MarathonException;
import mdo.marathon.MarathonUnavailableException;

/** Turns Marathon failures into what a user should read and do next. */
public final class Failures {
  private Failures() {}

  public static String explain(MarathonException e, String configFile) {
    StringBuilder sb = new StringBuilder(e.getMessage());
    if (e.isLocked()) {
      sb.append("\nAnother deployment (").append(String.join(", ", e.deploymentIds()))
          .append(") is still changing this app. Wait for it, or re-run with --force to cancel it and deploy anyway.");
    } else if (e.status() == 401) {
      sb.append("\nCheck the credentials: marathon.user/password (or MARATHON_USER/MARATHON_PASSWORD) or marathon.token"
          + " (or MARATHON_TOKEN) in ").append(configFile).append('.');
    } else if (e.status() == 403) {
      sb.append("\nThe credentials were accepted but may not do this; check the account's permissions in Marathon/DC/OS.");
    } else if (e.status() == 422 || e.status() == 400) {
      sb.append("\nMarathon rejected the app definition; --dry-run prints the JSON mdo sends.");
    }
    return sb.toString();
  }

  public static String explain(MarathonUnavailableException e, String configFile) {
    return e.getMessage() + "\nIs Marathon running? Check marathon.url/urls in " + configFile + '.';
  }
}
