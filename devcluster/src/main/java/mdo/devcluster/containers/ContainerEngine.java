package mdo.devcluster.containers;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A container engine on this machine, driven through its CLI: {@link DockerEngine} or {@link PodmanEngine}, as
 * {@link EngineDetector} finds them. A container is run by a foreground client process (its output is the
 * container's, its exit status the container's) and is addressed by name afterwards.
 */
public interface ContainerEngine {
  /** {@code docker} or {@code podman}, for messages. */
  String name();

  /**
   * The client process that creates, starts and attaches to the container and removes it when it exits. Environment
   * values travel in the client's own environment, not on its command line, so they do not show in {@code ps}. The
   * caller sets the working directory and redirects, and starts it.
   */
  ProcessBuilder run(ContainerSpec spec);

  /** SIGTERM to the container, SIGKILL after {@code grace}; completes when the engine's command has finished. */
  CompletableFuture<Void> stop(String name, Duration grace);

  /** Removes the container, killing it first if it still runs; completes when the engine's command has finished. */
  CompletableFuture<Void> remove(String name);
}
