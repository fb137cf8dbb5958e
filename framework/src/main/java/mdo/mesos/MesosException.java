package mdo.mesos;

import mdo.command.Failure;

/**
 * Something went wrong talking to the Mesos master; the subclasses say what, the message says it for a user, and
 * {@link #kind()} puts it in mdo's failure family (exit codes).
 */
public abstract class MesosException extends Failure {
  protected MesosException(String message, Throwable cause) {
    super(message, cause);
  }
}
