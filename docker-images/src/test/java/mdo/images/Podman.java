package mdo.images;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import mdo.testkit.Processes;

/**
 * The podman CLI for the tests, with the flags this kind of machine needs (runc; ulimits within ours), and cleanup:
 * every container and network made through it is removed by {@link #close()}.
 */
final class Podman implements AutoCloseable {
  private static final AtomicInteger NAMES = new AtomicInteger();
  static final List<String> RUN_FLAGS = List.of("--ulimit=nofile=1024:1024", "--ulimit=nproc=1024:1024");
  private final List<String> containers = new ArrayList<>();
  private final List<String> networks = new ArrayList<>();

  /** What a command printed and how it ended. */
  record Result(int code, String out) {
    Result ok() {
      if (code != 0) throw new AssertionError("exit " + code + ": " + out);
      return this;
    }
  }

  /** A name no other test (or test run) uses. */
  static String name(String what) {
    return "mdo-it-" + ProcessHandle.current().pid() + "-" + what + "-" + NAMES.incrementAndGet();
  }

  static List<String> cli() {
    for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
      if (new File(dir, "runc").canExecute()) return List.of("podman", "--runtime", dir + "/runc");
    }
    return List.of("podman");
  }

  static Result run(List<String> args) {
    List<String> command = new ArrayList<>(cli());
    command.addAll(args);
    return command(command);
  }

  /** Runs any command, its output and error together; fails the test when it hangs for 2 minutes. */
  static Result command(List<String> command) {
    Processes.Result r = Processes.run(command);
    return new Result(r.code(), r.out().strip());
  }

  static Result run(String... args) {
    return run(List.of(args));
  }

  /** {@code podman run -d --name NAME FLAGS... IMAGE ARGS...}: the container's name. */
  String start(String name, List<String> flags, String image, String... args) {
    List<String> command = new ArrayList<>(List.of("run", "-d", "--name", name));
    command.addAll(RUN_FLAGS);
    command.addAll(flags);
    command.add(image);
    command.addAll(List.of(args));
    containers.add(name);
    run(command).ok();
    return name;
  }

  String network(String name) {
    run("network", "create", name).ok();
    networks.add(name);
    return name;
  }

  /** {@code sh -c COMMAND} inside the running container. */
  static Result exec(String container, String command) {
    return run("exec", container, "sh", "-c", command);
  }

  static String inspect(String container, String format) {
    return run("inspect", "--format", format, container).ok().out();
  }

  static String logs(String container) {
    return run("logs", container).out();
  }

  /** Names of the containers (running or not) carrying a label. */
  static List<String> withLabel(String label) {
    String out = run("ps", "-a", "--filter", "label=" + label, "--format", "{{.Names}}").ok().out();
    return out.isEmpty() ? List.of() : out.lines().toList();
  }

  /** A file the tests mount into a container, readable by its non-root user. */
  static Path readable(Path file) {
    if (!file.toFile().setReadable(true, false)) throw new AssertionError("cannot make " + file + " readable");
    return file;
  }

  @Override
  public void close() {
    for (String container : containers) run("rm", "--force", "--time", "0", container);
    for (String network : networks) run("network", "rm", "--force", network);
  }
}
