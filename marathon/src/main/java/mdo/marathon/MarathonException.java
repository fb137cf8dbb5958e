package mdo.marathon;

import java.util.List;
import mdo.command.Failure;

/**
 * Marathon answered with an error status. {@link #getMessage()} is what a user should read: Marathon's own
 * {@code message} plus its validation {@code details}, or a plain description for HTML/empty error pages.
 */
public class MarathonException extends Failure {
  private final int status;
  private final String method;
  private final String path;
  private final String message;
  private final List<String> details;
  private final List<String> deploymentIds;

  public MarathonException(int status, String method, String path, String message, List<String> details,
      List<String> deploymentIds) {
    super(describe(status, method, path, message, details));
    this.status = status;
    this.method = method;
    this.path = path;
    this.message = message;
    this.details = List.copyOf(details);
    this.deploymentIds = List.copyOf(deploymentIds);
  }

  public int status() {
    return status;
  }

  public String method() {
    return method;
  }

  public String path() {
    return path;
  }

  /** Validation details as {@code "/path: error"} lines (422, and 400 on Marathon 1.4). */
  public List<String> details() {
    return details;
  }

  /** The deployments that lock the app (409 "App is locked"). */
  public List<String> deploymentIds() {
    return deploymentIds;
  }

  public boolean isNotFound() {
    return status == 404;
  }

  public boolean isLocked() {
    return status == 409 && !deploymentIds.isEmpty();
  }

  /** 401, or a 403 that is not {@link #isDeploymentLimit()}. */
  public boolean isAuth() {
    return status == 401 || status == 403 && !isDeploymentLimit();
  }

  /**
   * Marathon 1.5+ answers 403 to every change while {@code --max_running_deployments} deployments run
   * ({@code TooManyRunningDeploymentsException}): a full queue, not a lack of permissions.
   */
  public boolean isDeploymentLimit() {
    return status == 403 && message.startsWith("Max number (") && message.contains("of running deployments");
  }

  @Override
  public Kind kind() {
    return Kind.REFUSED;
  }

  private static String describe(int status, String method, String path, String message, List<String> details) {
    StringBuilder sb = new StringBuilder("Marathon rejected ").append(method).append(' ').append(path)
        .append(" (HTTP ").append(status).append("): ").append(message);
    for (String d : details) sb.append("\n  ").append(d);
    return sb.toString();
  }
}
