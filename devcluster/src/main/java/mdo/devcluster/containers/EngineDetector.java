package mdo.devcluster.containers;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Finds the container engine to use: the first of the candidate CLIs (by default {@code docker}, then
 * {@code podman}) whose engine answers. Docker's CLI is often installed without a daemon, so only an answering
 * {@code info} counts. A CLI that calls itself podman ({@code podman-docker} installs one named {@code docker}) gets
 * the podman adapter. The answer is kept for a while: an engine may come or go, but a launch should not pay a probe.
 */
public final class EngineDetector {
  static final Duration KEEP_FOUND = Duration.ofSeconds(60);
  static final Duration KEEP_MISSING = Duration.ofSeconds(10);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
  private static final List<String> RUNC_DIRS = List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin");

  /** The engine found, or why none was: one reason per candidate. */
  public record Detection(ContainerEngine engine, String problem) {}

  private final List<String> candidates;
  private Detection last;
  private long checkedAt;

  public EngineDetector(List<String> candidates) {
    this.candidates = List.copyOf(candidates);
  }

  /** The current answer, probing again when the kept one is too old. */
  public synchronized Detection detect() {
    long now = System.nanoTime();
    if (last != null) {
      Duration keep = last.engine() != null ? KEEP_FOUND : KEEP_MISSING;
      if (now - checkedAt < keep.toNanos()) return last;
    }
    last = probeAll();
    checkedAt = now;
    return last;
  }

  private Detection probeAll() {
    List<String> problems = new ArrayList<>();
    for (String candidate : candidates) {
      String cli = candidate.contains("/") ? candidate : onPath(candidate);
      if (cli == null || !new File(cli).canExecute()) {
        problems.add(candidate + ": not installed");
        continue;
      }
      Result version = execute(List.of(cli, "--version"));
      if (version.problem != null) {
        problems.add(candidate + ": " + version.problem);
        continue;
      }
      CliEngine engine;
      List<String> probe;
      if (version.output.toLowerCase().startsWith("podman")) {
        PodmanEngine podman = new PodmanEngine(cli, runc(), Path.of("/proc/self/limits"));
        engine = podman;
        probe = podman.probe();
      } else {
        DockerEngine docker = new DockerEngine(cli);
        engine = docker;
        probe = docker.probe();
      }
      Result info = execute(probe);
      if (info.problem == null) return new Detection(engine, null);
      problems.add(candidate + ": " + info.problem);
    }
    return new Detection(null, problems.isEmpty() ? "no container engine is configured" : String.join("; ", problems));
  }

  private record Result(String output, String problem) {}

  /** Runs a short CLI command: its output, or why it failed (the last line of what it said). */
  private static Result execute(List<String> command) {
    String shown = "`" + Path.of(command.get(0)).getFileName() + " "
        + String.join(" ", command.subList(1, command.size())) + "`";
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      // Read aside: a hung CLI must not block us past the timeout.
      CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
        try (InputStream in = p.getInputStream()) {
          return new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
          return "";
        }
      });
      if (!p.waitFor(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new Result("", shown + " did not answer within " + PROBE_TIMEOUT.toSeconds() + " s");
      }
      String said = output.completeOnTimeout("", 2, TimeUnit.SECONDS).join();
      if (p.exitValue() == 0) return new Result(said, null);
      String lastLine = said.isEmpty() ? "exit status " + p.exitValue() : said.lines().reduce((a, b) -> b).orElse("");
      return new Result(said, shown + " failed: " + lastLine);
    } catch (IOException e) {
      return new Result("", shown + " could not be run: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result("", "interrupted while running " + shown);
    }
  }

  private static String runc() {
    String onPath = onPath("runc");
    if (onPath != null) return onPath;
    for (String dir : RUNC_DIRS) {
      File candidate = new File(dir, "runc");
      if (candidate.canExecute()) return candidate.getAbsolutePath();
    }
    return null;
  }

  private static String onPath(String binary) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(File.pathSeparator)) {
      File candidate = new File(dir, binary);
      if (candidate.canExecute()) return candidate.getAbsolutePath();
    }
    return null;
  }
}
