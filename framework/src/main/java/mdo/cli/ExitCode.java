package mdo.cli;

/** The exit codes of launcher and updater. */
public final class ExitCode {
  /** The deployment finished (or was accepted, with --no-wait), or there was nothing to change. */
  public static final int OK = 0;
  /** The deployment failed or timed out, or Marathon refused or could not be reached. */
  public static final int FAILED = 1;
  /** Bad input (config, arguments): nothing was sent. */
  public static final int BAD_INPUT = 2;

  private ExitCode() {}
}
