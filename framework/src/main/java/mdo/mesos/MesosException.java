package mdo.mesos;

/** Something went wrong talking to the Mesos master; the subclasses say what, the message says it for a user. */
public abstract class MesosException extends RuntimeException {
  protected MesosException(String message, Throwable cause) {
    super(message, cause);
  }
}
