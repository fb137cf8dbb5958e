package mdo.devcluster.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code <name>.pid} in the state dir: "{@code <pid> <start-epoch-millis>}". The start time guards against pid reuse:
 * a recorded process only counts as ours while a process with that pid and that start time exists.
 */
public record PidFile(Path path) {
  public static PidFile in(Path stateDir, String name) {
    return new PidFile(stateDir.resolve(name + ".pid"));
  }

  public void write(ProcessHandle process) throws IOException {
    long start = process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    Files.createDirectories(path.getParent());
    Helpers.writeAtomically(path, process.pid() + " " + start + "\n");
  }

  /** The live process this file records, if it still runs. */
  public Optional<ProcessHandle> process() {
    return process(path);
  }

  public static Optional<ProcessHandle> process(Path file) {
    try {
      if (!Files.isRegularFile(file)) return Optional.empty();
      String[] parts = Files.readString(file).trim().split("\\s+");
      long pid = Long.parseLong(parts[0]);
      long start = parts.length > 1 ? Long.parseLong(parts[1]) : 0;
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> start == 0
          || p.info().startInstant().map(i -> Math.abs(i.toEpochMilli() - start) < 2000).orElse(false));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  public void delete() {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // nothing runs under it any more; a leftover file is ignored by the start-time check
    }
  }

  /** SIGTERM, then SIGKILL after {@code grace}; true when the process is gone. */
  public static boolean stop(ProcessHandle process, Duration grace) {
    process.destroy();
    try {
      process.onExit().get(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
        return true;
      } catch (Exception again) {
        return !process.isAlive();
      }
    }
  }
}
