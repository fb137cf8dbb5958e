package mdo.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the build produces: every image, as a non-root user, without tools, tests or secrets, the same every time. */
class ImageBuildIT {
  /** Programs that build software; none belongs in an image that runs it. */
  private static final List<String> BUILD_TOOLS = List.of("javac", "jar", "jlink", "jshell", "mvn", "mvnw", "gradle",
      "gcc", "cc", "c++", "g++", "make", "ld", "as", "go", "cargo", "git", "apt", "apt-get", "buildah", "podman");
  private static final Pattern TEST_FILE = Pattern.compile(
      ".*(/test-classes/|/src/test/|/surefire-reports/|-tests\\.jar$|-sources\\.jar$|Test\\.class$|IT\\.class$|/junit-[^/]*\\.jar$|/assertj-[^/]*\\.jar$|/testkit[^/]*\\.jar$|/mdo-testkit[^/]*\\.jar$).*");
  private static final Pattern SECRET_NAME = Pattern.compile(
      ".*/(id_rsa|id_ed25519|id_ecdsa|\\.netrc|\\.git-credentials|\\.npmrc|settings\\.xml|\\.pgpass|credentials)$|.*\\.(key|pem)$");
  private static final Pattern PRIVATE_KEY = Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----");
  private static final Pattern SECRET_ENV = Pattern.compile("(?i).*(token|password|secret|credential)[^=]*=.+");

  @BeforeAll
  @Timeout(value = 20, unit = java.util.concurrent.TimeUnit.MINUTES)
  static void build() {
    Images.built();
  }

  @Test
  void everyConfiguredImageIsBuiltAndRunsAsAnUnprivilegedUser() {
    assertThat(Images.built().keySet()).containsAll(Images.configured());
    for (Images.Image image : Images.built().values()) {
      String user = Podman.run("image", "inspect", "--format", "{{.Config.User}}", image.ref()).ok().out();
      assertThat(user).as("USER of %s", image.name()).isNotBlank().isNotIn("0", "root", "0:0", "root:root");
      String who = Podman.run("run", "--rm", "--network", "none", "--ulimit=nofile=1024:1024", "--ulimit=nproc=1024:1024",
          "--entrypoint", "id", image.ref(), "-u").ok().out();
      assertThat(who).as("uid in %s", image.name()).isNotEqualTo("0");
    }
  }

  @Test
  void noImageHoldsBuildToolsTestCodeOrSecrets() {
    Map<String, List<String>> findings = new LinkedHashMap<>();
    for (Images.Image image : Images.built().values()) {
      List<String> found = new ArrayList<>();
      Path root = Path.of(Podman.run("image", "mount", image.ref()).ok().out());
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : files.toList()) {
          String path = "/" + root.relativize(file);
          String name = file.getFileName() == null ? "" : file.getFileName().toString();
          // Never follow a link: in a mounted image an absolute link points into this machine.
          boolean regular = Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
          boolean executable = regular && Files.isExecutable(file);
          boolean inBin = path.matches(".*/s?bin/[^/]+");
          if (inBin && (executable || Files.isSymbolicLink(file)) && BUILD_TOOLS.contains(name)) found.add("build tool " + path);
          if (TEST_FILE.matcher(path).matches()) found.add("test code " + path);
          if (SECRET_NAME.matcher(path).matches() && regular) found.add("secret-like file " + path);
          if (regular && Files.size(file) < 1_000_000
              && (path.startsWith("/etc/") || path.startsWith("/opt/") || path.startsWith("/root/") || path.startsWith("/home/"))
              && PRIVATE_KEY.matcher(new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1)).find()) {
            found.add("private key in " + path);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        Podman.run("image", "unmount", image.ref());
      }
      String env = Podman.run("image", "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", image.ref())
          .ok().out();
      env.lines().filter(l -> SECRET_ENV.matcher(l).matches()).forEach(l -> found.add("secret in ENV " + l));
      if (!found.isEmpty()) findings.put(image.name(), found);
    }
    assertThat(findings).as("build tools, test code or secrets in the images").isEmpty();
  }

  @Test
  void lookupsInAnImageThatCopiedTheGuestutilsLayerMapItsStartUpArchive() throws IOException {
    try (Podman podman = new Podman()) {
      // A lookup that waits (for members that never come), so its JVM can be looked at while it runs.
      String name = podman.start(Podman.name("cds"), List.of("--network", "none", "--entrypoint", "guestutils",
              "-e", "ETCD_ENDPOINTS=http://127.0.0.1:9", "-e", "MDO_ENVIRONMENT=it"),
          Images.get("sample").ref(), "node-list", "nobody", "--minimum", "1", "--timeout", "60s");
      Path maps = org.awaitility.Awaitility.await("the lookup's JVM").atMost(java.time.Duration.ofSeconds(30))
          .until(() -> javaProcessMaps(name), m -> m != null);
      assertThat(Files.readAllLines(maps)).as("memory maps of guestutils in the sample image")
          .anyMatch(l -> l.matches(".* /opt/mdo/guestutils/cds/guestutils-[0-9]+\\.jsa$"));
    }
  }

  /** /proc/PID/maps of the container's java process, once the JVM has mapped its class data; null before. */
  private static Path javaProcessMaps(String container) throws IOException {
    String pid = Podman.inspect(container, "{{.State.Pid}}");
    if (pid.isEmpty() || pid.equals("0")) return null;
    Optional<ProcessHandle> java = ProcessHandle.of(Long.parseLong(pid)).stream()
        .flatMap(p -> Stream.concat(Stream.of(p), p.descendants()))
        .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false)).findFirst();
    if (java.isEmpty()) return null;
    Path maps = Path.of("/proc", Long.toString(java.get().pid()), "maps");
    return Files.readAllLines(maps).stream().anyMatch(l -> l.endsWith(".jsa")) ? maps : null;
  }

  @Test
  @Timeout(value = 20, unit = java.util.concurrent.TimeUnit.MINUTES)
  void buildingAgainFromTheSameInputsGivesTheSameImages() {
    Map<String, Images.Image> first = Images.built();
    Map<String, Images.Image> again = Images.build();
    assertThat(ids(again)).isEqualTo(ids(first));
  }

  private static Map<String, String> ids(Map<String, Images.Image> images) {
    Map<String, String> out = new LinkedHashMap<>();
    images.values().forEach(i -> out.put(i.name(), i.id()));
    return out;
  }
}
