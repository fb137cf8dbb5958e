package mdo.command;

/**
 * A failure to show a user: the message says what happened and what to do next, the {@link Kind} decides the exit code
 * ({@link ExitCodes}). Every mdo failure a command can meet is one of these; anything else is a bug.
 */
public abstract class Failure extends RuntimeException {
  /** What kind of failure it is, as the exit code tells scripts. */
  public enum Kind {
    /** Bad config, arguments or data: nothing was sent or changed. */
    BAD_INPUT,
    /** A system mdo depends on (Marathon, Mesos, etcd) did not answer. */
    UNAVAILABLE,
    /** A system answered and refused (an error status, a validation error, a lock). */
    REFUSED,
    /** The work was accepted but did not succeed (a deployment failed or timed out). */
    FAILED
  }

  protected Failure(String message) {
    super(message);
  }

  protected Failure(String message, Throwable cause) {
    super(message, cause);
  }

  public abstract Kind kind();
}
