package mdo.cli;

import java.io.PrintStream;
import java.util.Map;

/**
 * What a command takes from its process: output streams, whether stdout is a terminal (progress bar or plain lines)
 * and the environment. Tests pass their own to run commands in-process.
 */
public record Terminal(PrintStream out, PrintStream err, boolean tty, Map<String, String> env) {
  public static Terminal system() {
    return new Terminal(System.out, System.err, System.console() != null, System.getenv());
  }
}
