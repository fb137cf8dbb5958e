package mdo.devcluster.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Whether a Docker engine answers {@code docker info}; the answer is cached for {@value #CACHE_SECONDS} s. */
final class DockerProbe {
  static final int CACHE_SECONDS = 10;
  private final String docker;
  private long checkedAt = Long.MIN_VALUE;
  private String problem;

  DockerProbe(String docker) {
    this.docker = docker;
  }

  /** Null when an engine is reachable, else why not. */
  synchronized String problem() {
    long now = System.nanoTime();
    if (checkedAt != Long.MIN_VALUE && now - checkedAt < TimeUnit.SECONDS.toNanos(CACHE_SECONDS)) return problem;
    problem = probe();
    checkedAt = now;
    return problem;
  }

  private String probe() {
    try {
      Process p = new ProcessBuilder(docker, "info", "--format", "{{.ServerVersion}}").redirectErrorStream(true).start();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "`" + docker + " info` did not answer within 5 s";
      }
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.exitValue() == 0) return null;
      String firstLine = output.isEmpty() ? "exit status " + p.exitValue() : output.lines().reduce((a, b) -> b).orElse("");
      return "`" + docker + " info` failed: " + firstLine;
    } catch (IOException e) {
      return "the docker CLI (" + docker + ") could not be run: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while probing for Docker";
    }
  }
}
