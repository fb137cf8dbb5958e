package mdo.command;

import picocli.CommandLine;

/**
 * The one picocli handler for what a command throws: the message on stderr after the command's name, no stack trace,
 * and the exit code from {@link ExitCodes}. Usage errors stay picocli's (the message, the usage, exit code 2).
 */
public final class FailureHandler implements CommandLine.IExecutionExceptionHandler {
  private final String prefix;

  /**
   * @param name printed before every message, e.g. {@code guestutils} gives {@code guestutils: <message>}; null for
   *     commands whose messages name what failed themselves
   */
  public FailureHandler(String name) {
    this.prefix = name == null ? "" : name + ": ";
  }

  /** Installs this handler on {@code cli} and returns it, for chaining. */
  public static CommandLine install(CommandLine cli, String name) {
    return cli.setExecutionExceptionHandler(new FailureHandler(name));
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    Throwable cause = e instanceof CommandLine.ExecutionException && e.getCause() != null ? e.getCause() : e;
    cmd.getErr().println(prefix + message(cause));
    return ExitCodes.of(cause);
  }

  /** What a user reads for {@code t}: its message, or its type when it has none. */
  public static String message(Throwable t) {
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }
}
