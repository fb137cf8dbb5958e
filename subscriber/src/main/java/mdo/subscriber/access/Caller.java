package mdo.subscriber.access;

/**
 * Who a request comes from, as far as its credentials prove: an operator with the admin token (or, where no admin
 * token is configured, any caller on the subscriber's own host), or the tasks of one service, by its registration
 * token.
 *
 * @param service the service whose registration token was presented; {@code null} for the admin
 */
public record Caller(String service) {
  public static final Caller ADMIN = new Caller(null);

  public boolean admin() {
    return service == null;
  }

  /** Whether this caller may act on what belongs to the tasks of {@code owner}. */
  public boolean mayActFor(String owner) {
    return admin() || service.equals(owner);
  }
}
