package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mdo.testkit.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** /info rendered by a real browser (headless Chromium), not just fetched: what a person would see. */
class InfoPageChromiumTest {
  private final Harness h = new Harness(EtcdServer.shared().endpoint());

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  void infoPageRendersEveryInstanceWithItsPortsAndEscapesWhatMarathonSends() throws Exception {
    ObjectNode app = h.app("web", Harness.V1);
    ((ObjectNode) app.path("labels")).put("note", "<script>document.title='pwned'</script><b>x</b>");
    h.marathon.putApp(app);
    h.marathon.putTask(h.task(1)).putTask(h.task(2));
    h.start();
    h.awaitRegistry(r -> r.size() == 2);

    String dom = dumpDom(h.base() + "/info");

    assertThat(dom).contains("<title>mdo registry: " + h.env + "</title>");
    assertThat(dom).contains("data-service=\"web\"");
    assertThat(dom).contains("data-task=\"" + h.taskId(1) + "\"", "data-task=\"" + h.taskId(2) + "\"");
    assertThat(dom).contains("10.0.0.1:31001", "10.0.0.2:31002");
    assertThat(dom).contains("web: <code>"); // the port's name
    assertThat(dom).contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;");
    assertThat(dom).doesNotContain("<script>").doesNotContain("pwned</title>").doesNotContain("<b>x</b>");
  }

  /** Runs Chromium headless and returns the DOM it rendered. Fails (never skips) when Chromium is missing. */
  static String dumpDom(String url) throws Exception {
    String binary = chromium();
    Path profile = Files.createTempDirectory("mdo-chromium-");
    Path out = profile.resolve("dom.html");
    List<String> command = new ArrayList<>(List.of(binary, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--dump-dom", url));
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile())
        .redirectError(profile.resolve("stderr.txt").toFile()).start();
    try {
      if (!p.waitFor(90, TimeUnit.SECONDS)) throw new AssertionError("chromium did not finish within 90 s");
      String dom = Files.readString(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0 || dom.isBlank()) {
        throw new AssertionError("chromium exited " + p.exitValue() + ": " + Files.readString(profile.resolve("stderr.txt")));
      }
      return dom;
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  private static String chromium() {
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        File f = new File(dir, name);
        if (f.canExecute()) return f.getPath();
      }
    }
    throw new AssertionError("chromium not found on PATH: this test renders /info in a real browser. "
        + "Install it: sudo apt-get install -y chromium");
  }
}
