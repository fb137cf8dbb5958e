package mdo.guestutils;

import mdo.command.Failure;
/**
 * The one error type of the guest API, maestro-ng's {@code MaestroEnvironmentError}: its messages are maestro's, word
 * for word, so start scripts that match on them keep working.
 */
public class GuestUtilsException extends Failure {
  public GuestUtilsException(String message) {
    super(message);
  }

  public GuestUtilsException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public Kind kind() {
    return Kind.FAILED;
  }
}
