package mdo.setup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every shell script of the repository passes shellcheck (Debian's, every severity), following what it sources. */
class ShellScriptsTest {
  @Test
  void everyScriptPassesShellcheck() throws IOException {
    List<String> scripts = scripts();
    assertThat(scripts).contains("bin/demo", "bin/test", "bin/lib/prereqs.sh", ".ci/run", "docker-images/build",
        "docker-images/base/customize", "docker-images/sample/entrypoint", "setup/install", "setup/lib/steps.sh",
        "setup/lib/roles.sh");
    List<String> command = new ArrayList<>(List.of("shellcheck", "--external-sources", "--source-path=SCRIPTDIR"));
    command.addAll(scripts);
    ProcessBuilder builder = new ProcessBuilder(command).directory(Scratch.REPO.toFile()).redirectErrorStream(true);
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      assertThat(p.waitFor()).as("shellcheck %s\n%s", scripts, out).isZero();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Files whose first line runs a shell, and the sourced libraries (*.sh), outside build output. */
  static List<String> scripts() throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Scratch.REPO)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String rel = Scratch.REPO.relativize(file).toString();
        if (rel.startsWith(".git/") || rel.contains("/target/") || rel.startsWith("target/") || rel.startsWith(".mdo/")
            || rel.contains("/.mvn/") || rel.startsWith(".mvn/")) {
          continue;
        }
        if (rel.endsWith(".sh") || firstLine(file).matches("#!\\s*(/usr/bin/env\\s+)?(/bin/|/usr/bin/)?(ba)?sh\\b.*")) {
          out.add(rel);
        }
      }
    }
    out.sort(null);
    return out;
  }

  private static String firstLine(Path file) throws IOException {
    byte[] head = new byte[120];
    int n;
    try (var in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, head.length);
    }
    String text = new String(head, 0, n, StandardCharsets.ISO_8859_1);
    int eol = text.indexOf('\n');
    return eol < 0 ? text : text.substring(0, eol);
  }
}
