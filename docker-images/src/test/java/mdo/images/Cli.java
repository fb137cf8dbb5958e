package mdo.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import mdo.command.Terminal;

/** launcher and updater run in this JVM, as a user runs them, with what they print captured. */
final class Cli {
  private Cli() {}

  interface Command {
    int run(String[] args, Terminal terminal, Duration poll);
  }

  record Result(int code, String out, String err) {}

  static Result run(Command command, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Terminal terminal = new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false, Map.of());
    int code = command.run(args, terminal, Duration.ofMillis(200));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Result succeeds(Command command, String... args) {
    Result result = run(command, args);
    assertThat(result.code()).as("exit code\n--- stdout\n%s--- stderr\n%s", result.out(), result.err()).isZero();
    return result;
  }
}
