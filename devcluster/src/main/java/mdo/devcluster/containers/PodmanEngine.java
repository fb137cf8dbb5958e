package mdo.devcluster.containers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Podman (daemonless), with the flags it needs where it was measured (Debian 12's podman 4.3.1, cgroups v1, root):
 * <ul>
 *   <li>{@code --runtime runc} when runc is installed: crun fails there with "cgroups in hybrid mode not supported";
 *   <li>explicit ulimits: podman's defaults (1048576 open files) fail with "setrlimit ... operation not permitted"
 *       wherever they exceed what podman itself may raise to. A container gets this process's own open-files limit
 *       and at most {@value #MAX_PROCESSES} processes (measured: 32769 fails), which every container here accepts.
 * </ul>
 */
final class PodmanEngine extends CliEngine {
  static final int MAX_PROCESSES = 32768;
  private final List<String> globalFlags;
  private final List<String> runFlags;

  PodmanEngine(String cli, String runc, Path limits) {
    super(cli);
    this.globalFlags = runc == null ? List.of() : List.of("--runtime", runc);
    Limits own = Limits.read(limits);
    this.runFlags = List.of("--ulimit=nofile=" + own.openFiles + ":" + own.openFiles,
        "--ulimit=nproc=" + own.processes + ":" + own.processes);
  }

  @Override
  public String name() {
    return "podman";
  }

  @Override
  List<String> globalFlags() {
    return globalFlags;
  }

  @Override
  List<String> runFlags() {
    return runFlags;
  }

  /** {@code podman info} fails when its storage or runtime is unusable. */
  List<String> probe() {
    return command("info", "--format", "{{.Host.OCIRuntime.Name}}");
  }

  /** The soft limits of this process ({@code /proc/self/limits}), or conservative ones where it cannot be read. */
  private record Limits(long openFiles, long processes) {
    static final long FALLBACK_OPEN_FILES = 1024;

    static Limits read(Path file) {
      long files = FALLBACK_OPEN_FILES;
      long processes = MAX_PROCESSES;
      List<String> lines;
      try {
        lines = Files.readAllLines(file);
      } catch (IOException e) {
        lines = new ArrayList<>();
      }
      for (String line : lines) {
        if (line.startsWith("Max open files")) files = soft(line, files);
        if (line.startsWith("Max processes")) processes = Math.min(MAX_PROCESSES, soft(line, processes));
      }
      return new Limits(files, processes);
    }

    /** "Max open files   20000   20000   files": the first number ("unlimited" keeps the default). */
    private static long soft(String line, long otherwise) {
      String[] fields = line.substring(line.indexOf("  ")).trim().split("\\s+");
      try {
        return Long.parseLong(fields[0]);
      } catch (NumberFormatException e) {
        return otherwise;
      }
    }
  }
}
