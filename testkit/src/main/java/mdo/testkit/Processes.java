package mdo.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a command as a test does: its output and error together, and a hang fails the test instead of the build. */
public final class Processes {
  private Processes() {}

  /** The exit code and everything the command printed. */
  public record Result(int code, String out) {}

  /** Runs {@code command} to its end; fails the test when it cannot start or runs for 2 minutes. */
  public static Result run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
        try {
          return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
          return e.toString();
        }
      });
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("hung for 2 minutes: " + command);
      }
      return new Result(p.exitValue(), out.join());
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
