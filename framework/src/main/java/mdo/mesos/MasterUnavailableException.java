package mdo.mesos;

/**
 * No usable answer from a master: connection failure, timeout, 5xx (503 "No leader elected", "Master has not finished
 * recovery"), a redirect because it stopped leading, or a broken stream. Worth retrying later.
 */
public final class MasterUnavailableException extends MesosException {
  public MasterUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public MasterUnavailableException(String message) {
    super(message, null);
  }

  @Override
  public Kind kind() {
    return Kind.UNAVAILABLE;
  }
}
