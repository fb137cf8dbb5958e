package mdo.devcluster.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import mdo.devcluster.containers.EngineDetector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code devcluster down}: stops what {@code up} started. The dev cluster gets SIGTERM (it then stops its tasks,
 * the subscriber and etcd itself) and SIGKILL after the grace period; whatever its pid files still name afterwards
 * (etcd, subscriber, task process groups and containers left by a killed dev cluster) is stopped the same way.
 */
@Command(name = "down", mixinStandardHelpOptions = true, description = "Stop everything `devcluster up` started.")
public final class DownCommand implements Callable<Integer> {
  @Option(names = "--state-dir", description = "the state dir `up` used (default .mdo/devcluster under the repository)")
  String stateDir;

  @Option(names = "--grace", defaultValue = "20", paramLabel = "SECONDS",
      description = "how long to wait after SIGTERM before SIGKILL (default ${DEFAULT-VALUE})")
  int grace;

  @Override
  public Integer call() throws IOException {
    Path state = stateDir == null ? Helpers.defaultStateDir() : Helpers.fromCaller(stateDir);
    boolean any = false;
    for (String name : List.of("devcluster", "subscriber", "etcd")) {
      PidFile file = PidFile.in(state, name);
      Optional<ProcessHandle> process = file.process();
      if (process.isPresent()) {
        any = true;
        boolean gone = PidFile.stop(process.get(), Duration.ofSeconds(grace));
        System.out.println("devcluster: " + (gone ? "stopped " : "could not stop ") + name + " (pid "
            + process.get().pid() + ")");
      }
      file.delete();
    }
    int tasks = stopLeftoverTasks(state.resolve("tasks"));
    if (tasks > 0) System.out.println("devcluster: stopped " + tasks + " leftover task process(es)");
    Files.deleteIfExists(state.resolve("devcluster.url"));
    if (!any && tasks == 0) System.out.println("devcluster: nothing was running from " + state);
    return 0;
  }

  /** Task pid files outlive their task only when the dev cluster itself was killed; their groups go too. */
  private int stopLeftoverTasks(Path tasksDir) throws IOException {
    if (!Files.isDirectory(tasksDir)) return 0;
    int stopped = 0;
    try (DirectoryStream<Path> sandboxes = Files.newDirectoryStream(tasksDir)) {
      for (Path sandbox : sandboxes) {
        Path pid = sandbox.resolve("pid");
        Optional<ProcessHandle> process = PidFile.process(pid);
        if (process.isPresent()) {
          signalGroup(process.get().pid(), "TERM");
          if (!PidFile.stop(process.get(), Duration.ofSeconds(5))) signalGroup(process.get().pid(), "KILL");
          signalGroup(process.get().pid(), "KILL");
          stopped++;
        }
        Files.deleteIfExists(pid);
        removeLeftoverContainer(sandbox.resolve("container"));
      }
    }
    return stopped;
  }

  /**
   * A container's client is gone with its group, but a podman container outlives its client: remove it by the name
   * its sandbox records ({@code <engine> <name>}), with the adapter of the engine that ran it.
   */
  private static void removeLeftoverContainer(Path record) throws IOException {
    if (!Files.exists(record)) return;
    String[] engineAndName = Files.readString(record).trim().split(" ");
    Files.delete(record);
    if (engineAndName.length != 2) return;
    EngineDetector.Detection found = new EngineDetector(List.of(engineAndName[0])).detect();
    if (found.engine() == null) {
      System.err.println("devcluster: cannot remove container " + engineAndName[1] + ": " + found.problem());
      return;
    }
    found.engine().remove(engineAndName[1]).join();
    System.out.println("devcluster: removed leftover container " + engineAndName[1]);
  }

  private static void signalGroup(long pgid, String signal) {
    try {
      new ProcessBuilder("kill", "-s", signal, "--", "-" + pgid).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    } catch (IOException e) {
      // no kill binary: the leader was already signalled through ProcessHandle
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
