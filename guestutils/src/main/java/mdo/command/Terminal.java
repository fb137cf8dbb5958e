package mdo.command;

import java.io.PrintStream;
import java.util.Map;

/**
 * What a command takes from its process: output streams, whether stdout is a terminal (progress bar or plain lines)
 * and the environment. Tests pass their own to run commands in-process.
 */
public record Terminal(PrintStream out, PrintStream err, boolean tty, Map<String, String> env) {
  public static Terminal system() {
    return new Terminal(System.out, System.err, interactive(), System.getenv());
  }

  /**
   * Whether stdout is a terminal. From JDK 22 {@code System.console()} is non-null even when output is redirected;
   * {@code Console.isTerminal()} (JDK 22+, called reflectively since we compile for 17) tells the truth there.
   */
  static boolean interactive() {
    java.io.Console console = System.console();
    if (console == null) return false;
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }
}
