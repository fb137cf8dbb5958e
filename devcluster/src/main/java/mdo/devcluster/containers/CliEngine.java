package mdo.devcluster.containers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the docker and podman CLIs share: the same {@code run}, {@code stop} and {@code rm} commands and flags. An
 * adapter adds the flags its engine needs on this kind of machine.
 */
abstract class CliEngine implements ContainerEngine {
  private static final Logger log = LoggerFactory.getLogger(CliEngine.class);

  /**
   * Variables the CLI itself reads (which engine, storage or helper binaries it uses). A container's value for one of
   * these goes on the command line instead of into the client's environment.
   */
  private static final List<String> CLI_VARIABLES = List.of("PATH", "HOME", "TMPDIR", "CONTAINER_HOST",
      "CONTAINER_CONNECTION");
  private static final List<String> CLI_PREFIXES = List.of("DOCKER_", "CONTAINERS_", "XDG_", "LD_");

  final String cli;

  CliEngine(String cli) {
    this.cli = cli;
  }

  /** Flags before the subcommand. */
  abstract List<String> globalFlags();

  /** Flags of {@code run} that this engine needs here. */
  abstract List<String> runFlags();

  @Override
  public ProcessBuilder run(ContainerSpec spec) {
    List<String> command = command("run", "--rm", "--name", spec.name());
    command.addAll(runFlags());
    new TreeMap<>(spec.labels()).forEach((key, value) -> command.add("--label=" + key + "=" + value));
    switch (spec.network()) {
      case HOST -> command.add("--network=host");
      case NONE -> command.add("--network=none");
      case BRIDGE -> {
        command.add("--network=bridge");
        spec.ports().forEach(p -> command.add("--publish=" + p.hostPort() + ":" + p.containerPort() + "/"
            + p.protocol()));
      }
    }
    spec.volumes().forEach(v -> command.add("--volume=" + v.hostPath() + ":" + v.containerPath()
        + (v.readOnly() ? ":ro" : "")));
    if (spec.forcePull()) command.add("--pull=always");
    ProcessBuilder builder = new ProcessBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(spec.env()).entrySet()) {
      if (readByCli(e.getKey())) {
        command.add("--env=" + e.getKey() + "=" + e.getValue());
      } else {
        command.add("--env=" + e.getKey());
        builder.environment().put(e.getKey(), e.getValue());
      }
    }
    spec.parameters().forEach(p -> command.add("--" + p.key() + "=" + p.value()));
    command.add(spec.image());
    command.addAll(spec.args());
    return builder.command(command);
  }

  private static boolean readByCli(String variable) {
    return CLI_VARIABLES.contains(variable) || CLI_PREFIXES.stream().anyMatch(variable::startsWith);
  }

  @Override
  public CompletableFuture<Void> stop(String name, Duration grace) {
    return execute(command("stop", "--time", Long.toString(Math.max(0, (grace.toMillis() + 999) / 1000)), name));
  }

  @Override
  public CompletableFuture<Void> remove(String name) {
    return execute(command("rm", "--force", name));
  }

  @Override
  public String toString() {
    return name() + " (" + cli + ")";
  }

  List<String> command(String... subcommand) {
    List<String> command = new ArrayList<>();
    command.add(cli);
    command.addAll(globalFlags());
    command.addAll(List.of(subcommand));
    return command;
  }

  /** Runs a management command; a failure is logged with the CLI's message (the container may already be gone). */
  private static CompletableFuture<Void> execute(List<String> command) {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      log.warn("could not run {}: {}", String.join(" ", command), e.getMessage());
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<String> errors = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
    return process.onExit().thenCombine(errors, (p, message) -> {
      // Removing a container that --rm already removed is the normal case, not worth a line.
      if (p.exitValue() != 0 && !message.toLowerCase(Locale.ROOT).contains("no such container")) {
        log.info("{} exited with status {}: {}", String.join(" ", command), p.exitValue(), message.strip());
      }
      return null;
    });
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return e.getMessage();
    }
  }
}
