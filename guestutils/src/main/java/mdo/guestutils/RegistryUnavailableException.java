package mdo.guestutils;

/** etcd could not be reached (or answered with an error): callers fall back to the environment. */
public class RegistryUnavailableException extends Exception {
  public RegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
