package mdo.command;

/** The one map from outcomes to exit codes, for every mdo command. */
public final class ExitCodes {
  /** Done, accepted (with --no-wait), or nothing to change. */
  public static final int OK = 0;
  /** Something failed, timed out, refused or could not be reached; the message says which. */
  public static final int FAILED = 1;
  /** Bad input (config, arguments): nothing was sent. Also picocli's code for usage errors. */
  public static final int BAD_INPUT = 2;

  private ExitCodes() {}

  public static int of(Failure.Kind kind) {
    return kind == Failure.Kind.BAD_INPUT ? BAD_INPUT : FAILED;
  }

  /** The exit code for anything a command threw: a {@link Failure} by its kind, anything else (a bug) fails. */
  public static int of(Throwable t) {
    return t instanceof Failure f ? of(f.kind()) : FAILED;
  }
}
