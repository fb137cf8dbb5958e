package mdo.images;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The images under test, built once per test run by {@code docker-images/build} exactly as a user runs it (a real
 * process; its output goes to {@code target/build-*.log}). Nothing here skips: without root, podman, buildah or
 * mmdebstrap the build fails and says why.
 */
final class Images {
  static final Path REPO = Path.of(System.getProperty("mdo.repo.root", "..")).toAbsolutePath().normalize();
  static final Path DIR = REPO.resolve("docker-images");
  private static Map<String, Image> built;
  private static int builds;

  /** One built image: its name in images.conf, the reference it is tagged with, and its id. */
  record Image(String name, String ref, String id) {}

  private Images() {}

  /** The images of this run, building them on first use. */
  static synchronized Map<String, Image> built() {
    if (built == null) built = build();
    return built;
  }

  static Image get(String name) {
    Image image = built().get(name);
    if (image == null) throw new AssertionError("no image " + name + " was built: " + built().keySet());
    return image;
  }

  /** The names images.conf lists, in its order. */
  static List<String> configured() {
    try {
      return Files.readAllLines(DIR.resolve("images.conf")).stream().map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#")).map(l -> l.split("\\s+")[0]).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code docker-images/build ARGS} and returns what it built (name, reference, id). */
  static synchronized Map<String, Image> build(String... args) {
    Path log = DIR.resolve("target/build-" + (++builds) + ".log");
    List<String> command = new java.util.ArrayList<>(List.of(DIR.resolve("build").toString()));
    command.addAll(List.of(args));
    try {
      Files.createDirectories(log.getParent());
      Process p = new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      if (!p.waitFor(20, TimeUnit.MINUTES)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new AssertionError("docker-images/build took over 20 minutes; log: " + log);
      }
      if (p.exitValue() != 0) {
        throw new AssertionError("docker-images/build " + String.join(" ", args) + " failed (exit " + p.exitValue()
            + "):\n" + tail(log));
      }
      Map<String, Image> images = new LinkedHashMap<>();
      for (String line : Files.readAllLines(DIR.resolve("target/images.txt"))) {
        String[] f = line.split(" ");
        images.put(f[0], new Image(f[0], f[1], f[2]));
      }
      return images;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  /** The HEALTHCHECK command of an image's Dockerfile (shell form), which the images' documentation names as the probe. */
  static String healthCheck(String name) {
    try {
      String dockerfile = Files.readString(DIR.resolve(name).resolve("Dockerfile"));
      for (String line : dockerfile.lines().toList()) {
        if (line.startsWith("HEALTHCHECK ")) return line.substring(line.indexOf(" CMD ") + 5).strip();
      }
      throw new AssertionError(name + "/Dockerfile has no HEALTHCHECK");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
