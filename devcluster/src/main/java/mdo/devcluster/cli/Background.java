package mdo.devcluster.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** {@code up --detach}: the same command in the foreground of a background child, awaited until it answers. */
final class Background {
  static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

  /**
   * How to tell that the child serves.
   *
   * @param what how the output names what it serves
   * @param path the path probed, for the error when it never answers
   * @param answers true once the child at this base URL serves
   */
  record Readiness(String what, String path, Predicate<String> answers) {}

  private Background() {}

  static int start(Path state, Duration killGrace, List<String> args, String credentials, Readiness ready)
      throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        "mdo.devcluster.Main"));
    command.addAll(args);
    Path log = state.resolve("devcluster.log");
    Files.deleteIfExists(state.resolve("devcluster.url"));
    Process child = Helpers.startChild(command, log,
        credentials == null ? Map.of() : Map.of(UpCommand.AUTH_ENV, credentials));
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!child.isAlive()) {
        System.err.println("devcluster: the background dev cluster exited with status " + child.exitValue() + ":\n"
            + Helpers.tail(log, 20));
        return 1;
      }
      Path urlFile = state.resolve("devcluster.url");
      if (Files.exists(urlFile)) {
        String url = Files.readString(urlFile).trim();
        if (ready.answers().test(url)) {
          System.out.println("devcluster: " + ready.what() + " on " + url + " (pid " + child.pid() + ", log " + log
              + ")");
          for (String line : Files.readAllLines(log)) {
            if (line.startsWith("devcluster: etcd") || line.startsWith("devcluster: subscriber")
                || line.contains("does not exist yet")) {
              System.out.println(line);
            }
          }
          System.out.println("devcluster: stop it with `bin/devcluster down --state-dir " + state + "`");
          return 0;
        }
      }
      Thread.sleep(100);
    }
    System.err.println("devcluster: no answer on " + ready.path() + " within " + STARTUP_TIMEOUT.toSeconds()
        + " s; stopping it. Log:\n" + Helpers.tail(log, 20));
    PidFile.stop(child.toHandle(), Duration.ofSeconds(killGrace.toSeconds() + 10));
    return 1;
  }
}
