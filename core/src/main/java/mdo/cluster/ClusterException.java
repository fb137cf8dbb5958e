package mdo.cluster;

import mdo.command.Failure;

/** A cluster backend refused, failed or could not be reached; the message says what it answered and what to do. */
public final class ClusterException extends Failure {
  private final Kind kind;

  public ClusterException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  @Override
  public Kind kind() {
    return kind;
  }
}
